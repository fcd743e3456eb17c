using System.Globalization;
using Lucene.Net.Documents;

namespace Mrc.Retrieval.Indexing;

/// <summary>Lucene field names of a passage document, and the mapping between passages and Lucene documents.</summary>
public static class PassageFields
{
    public const string Id = "id";
    public const string DocumentId = "document_id";
    public const string DocumentSha256 = "document_sha256";
    public const string Title = "title";
    public const string Text = "text";
    public const string Start = "start_char";
    public const string End = "end_char";

    /// <summary>The analyzed, unstored field queries run against (title prefix plus passage text).</summary>
    public const string Contents = "contents";

    /// <summary>
    /// The same text as <see cref="Contents"/> cut into words by the settings' words analyzer
    /// (morphemes, or whole words with their particles taken off), indexed only when the settings
    /// give words a boost: word matches on top of the bigrams.
    /// </summary>
    public const string Words = "words";

    /// <summary>The analyzed, unstored title, indexed only when the settings give titles a boost.</summary>
    public const string TitleContents = "title_contents";

    /// <summary>The text the contents and words fields are analysed from.</summary>
    internal static string ContentsOf(IndexedPassage passage, bool titlePrefix) =>
        titlePrefix && passage.Title.Length > 0 ? passage.Title + "\n" + passage.Text : passage.Text;

    /// <param name="words">The words field's tokens, analysed ahead (<see cref="RecordedTokens"/>); null analyses the field in the writer.</param>
    internal static Document ToDocument(IndexedPassage passage, bool titlePrefix, bool titleField, bool wordsField, RecordedTokens? words = null)
    {
        string contents = ContentsOf(passage, titlePrefix);
        // Ids are StringFields: indexed as one exact token, so a passage can be found or replaced by id.
        var document = new Document
        {
            new StringField(Id, passage.Id, Field.Store.YES),
            new StringField(DocumentId, passage.DocumentId, Field.Store.YES),
            new StoredField(DocumentSha256, passage.DocumentSha256),
            new StoredField(Title, passage.Title),
            new StoredField(Text, passage.Text),
            new StoredField(Start, passage.StartChar),
            new StoredField(End, passage.EndChar),
            new TextField(Contents, contents, Field.Store.NO),
        };
        if (wordsField) document.Add(words is null ? new TextField(Words, contents, Field.Store.NO) : new TextField(Words, words.Replay()));
        if (titleField) document.Add(new TextField(TitleContents, passage.Title, Field.Store.NO));
        return document;
    }

    internal static IndexedPassage FromDocument(Document document) => new(
        Stored(document, Id),
        Stored(document, DocumentId),
        Stored(document, DocumentSha256),
        Stored(document, Title),
        Stored(document, Text),
        document.GetField(Start).GetInt32Value() ?? 0,
        document.GetField(End).GetInt32Value() ?? 0);

    static string Stored(Document document, string field) => document.Get(field, CultureInfo.InvariantCulture) ?? "";
}
