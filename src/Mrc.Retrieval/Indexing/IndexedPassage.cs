namespace Mrc.Retrieval.Indexing;

/// <summary>
/// A searchable piece of a corpus document: <see cref="Text"/> is exactly
/// <c>document.Text[StartChar..EndChar]</c>. <see cref="DocumentSha256"/> identifies the source text
/// itself, so evaluation can recognise a gold paragraph whatever id the corpus gave it.
/// </summary>
public sealed record IndexedPassage(
    string Id,
    string DocumentId,
    string DocumentSha256,
    string Title,
    string Text,
    int StartChar,
    int EndChar);
