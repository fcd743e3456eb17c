using Mrc.Core.Text;
using Mrc.Reading.Tokenization;
using Xunit.Abstractions;

namespace Mrc.Reader.Tests.Reference;

/// <summary>Compares our encodings of many texts with a reference's, and says how many differ and where first.</summary>
internal sealed class ParityReport(string name)
{
    readonly List<string> differences = [];
    int texts;
    long tokens;

    public int Texts => texts;
    public int Differences => differences.Count;

    /// <summary>Ids must be equal; offsets too when the reference has them (code points, as Hugging Face counts).</summary>
    public void Compare(string text, TokenizedText ours, int[] expectedIds, int[][]? expectedOffsets, Func<int, string> token)
    {
        texts++;
        tokens += expectedIds.Length;
        if (!expectedIds.SequenceEqual(ours.Ids))
        {
            Record(text, $"ids\n  reference: {Show(expectedIds, token)}\n  ours:      {Show(ours.Ids, token)}");
            return;
        }
        if (expectedOffsets is null) return;
        var offsets = ours.Offsets.Select(o => new[] { TextOffsets.ToCodePoints(text, o.Start), TextOffsets.ToCodePoints(text, o.End) }).ToArray();
        for (var k = 0; k < offsets.Length; k++)
        {
            if (offsets[k].SequenceEqual(expectedOffsets[k])) continue;
            Record(text, $"offsets of token {k} '{token(expectedIds[k])}': reference [{string.Join(',', expectedOffsets[k])}], ours [{string.Join(',', offsets[k])}]");
            return;
        }
    }

    void Record(string text, string detail)
    {
        var shown = text.Length > 120 ? text[..120] + "…" : text;
        differences.Add($"\"{shown}\": {detail}");
    }

    static string Show(int[] ids, Func<int, string> token)
    {
        var first = ids.Take(40).Select(i => $"{i}:{token(i)}");
        return string.Join(' ', first) + (ids.Length > 40 ? " …" : "");
    }

    public void WriteTo(ITestOutputHelper output)
    {
        output.WriteLine($"{name}: {texts} texts, {tokens} tokens, {differences.Count} differ");
        foreach (var difference in differences.Take(5)) output.WriteLine(difference);
    }

    public void AssertNoDifference() =>
        Assert.True(differences.Count == 0, $"{name}: {differences.Count} of {texts} texts differ; first: {differences.FirstOrDefault()}");
}
