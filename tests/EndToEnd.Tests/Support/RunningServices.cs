using System.Text.Json.Nodes;
using Mrc.Core.Data;
using Mrc.Reading.Modeling;
using Mrc.Retrieval.Indexing;
using Mrc.Tests;
using Mrc.Training;
using Mrc.Training.Corpora;
using Mrc.Training.Vocabulary;

namespace Mrc.EndToEnd.Tests.Support;

/// <summary>The services started once for every end-to-end test class that needs them.</summary>
[CollectionDefinition(Name)]
public sealed class SharedServices : ICollectionFixture<RunningServices>
{
    public const string Name = "services";
}

/// <summary>
/// RetrieverService and ReaderService as separate processes over real data: a BM25 index of every
/// KorQuAD part-a paragraph, and a model repository with one small BERT reader (its vocabulary
/// learnt from part a, its weights untrained: these tests check the path, not answer quality).
/// </summary>
public sealed class RunningServices : IAsyncLifetime
{
    public const string ModelName = "tiny-bert";

    readonly string folder = Directory.CreateTempSubdirectory("mrc-e2e-").FullName;

    /// <summary>The index the retriever serves (every part-a paragraph, default chunking).</summary>
    public string IndexPath => Path.Combine(folder, "index");

    /// <summary>A folder for a test's own files, removed with the services.</summary>
    public string Folder => folder;

    public ServiceProcess Retriever { get; private set; } = null!;
    public ServiceProcess Reader { get; private set; } = null!;

    /// <summary>A question of part a and the text of its gold paragraph.</summary>
    public (string Question, string Context) Sample { get; private set; }

    public async Task InitializeAsync()
    {
        var dataset = SquadJson.Load(TestData.KorQuadPartA);
        var first = dataset.Examples().First();
        Sample = (first.Question, first.Context!);

        string index = IndexPath;
        IndexBuilder.Build(CorpusIngest.Load(TestData.KorQuadPartA), index, new IndexBuildOptions());

        string models = Path.Combine(folder, "models");
        WriteTinyModel(Path.Combine(models, ModelName, "1"));

        var timeout = TimeSpan.FromMinutes(2);
        var retriever = ServiceProcess.StartAsync("RetrieverService", new Dictionary<string, string>
        {
            ["Retriever:IndexPath"] = index,
        }, timeout);
        var reader = ServiceProcess.StartAsync("ReaderService", new Dictionary<string, string>
        {
            ["Reader:ModelRepository"] = models,
            ["Reader:Device"] = "cpu",
        }, timeout);
        Retriever = await retriever;
        Reader = await reader;
    }

    public async Task DisposeAsync()
    {
        if (Retriever is not null) await Retriever.DisposeAsync();
        if (Reader is not null) await Reader.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    internal static void WriteTinyModel(string target)
    {
        string tokenizer = Path.Combine(Path.GetDirectoryName(target)!, "tokenizer");
        var vocabulary = new WordPieceVocabularyTrainer { VocabularySize = 4000 }.Train(TextCorpusReader.Read(TestData.KorQuadPartA));
        WordPieceVocabularyTrainer.Save(vocabulary, tokenizer);
        var config = new EncoderConfig
        {
            VocabSize = vocabulary.Count,
            HiddenSize = 32,
            NumHiddenLayers = 2,
            NumAttentionHeads = 2,
            IntermediateSize = 64,
        };
        TorchSharp.torch.manual_seed(7);
        using var model = new QuestionAnsweringModel(config);
        WeightInit.Apply(model);
        ModelFolder.Save(model, config, "BertForQuestionAnswering", tokenizer, target,
            new JsonObject { ["description"] = "untrained 2-layer BERT for end-to-end path tests" });
    }
}
