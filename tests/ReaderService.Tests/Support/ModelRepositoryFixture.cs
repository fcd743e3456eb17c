namespace Mrc.Reader.Tests.Support;

/// <summary>
/// A model repository in a temp folder: korean-tiny versions 1, 2 and 10 (10 has a model card),
/// other-tiny/1, and broken/1 (config but no weights).
/// </summary>
internal sealed class TinyModelRepository : IDisposable
{
    public const string Context = "대한민국의 수도는 서울이다. 세종대왕은 훈민정음을 1443년에 만들었다.";
    public const string Question = "대한민국의 수도는 어디인가?";

    readonly TempFolder folder = new();

    public TinyModelRepository()
    {
        var vocab = TinyModels.CharacterVocabulary(Context, Question).ToList();
        foreach (var version in new[] { "1", "2", "10" })
            TinyModels.WriteModelFolder(folder.Combine("korean-tiny", version), vocab, seed: int.Parse(version, System.Globalization.CultureInfo.InvariantCulture));
        File.WriteAllText(folder.Combine("korean-tiny", "10", "model-card.json"),
            """{"description": "tiny random BERT for tests", "metrics": {"exact_match": 12.5, "f1": 20.25}}""");
        TinyModels.WriteModelFolder(folder.Combine("other-tiny", "1"), vocab, modelType: "roberta", seed: 3);
        var broken = folder.Combine("broken", "1");
        TinyModels.WriteModelFolder(broken, vocab);
        File.Delete(Path.Combine(broken, "model.safetensors"));
    }

    public string Root => folder.Path;

    public void Dispose() => folder.Dispose();
}
