using System.Text.Json;
using Mrc.Core.Data;
using Mrc.Tests;
using Mrc.Training.Corpora;
using Mrc.Training.Vocabulary;

namespace Mrc.Training.Tests;

/// <summary>
/// A tiny Korean setup for fast CPU training tests: a vocabulary learnt from a few part-a articles,
/// a 2-layer BERT config, and train/validation files cut from part-a by article.
/// </summary>
public sealed class TinyTrainingSetup : IDisposable
{
    public TinyTrainingSetup()
    {
        Folder = Directory.CreateTempSubdirectory("mrc-train-").FullName;
        var dataset = SquadJson.Load(TestData.KorQuadPartA);

        // Short paragraphs keep windows small; two questions each keep the runs fast.
        Article Cut(Article a) => a with
        {
            Paragraphs = a.Paragraphs.Where(p => p.Context.Length < 400).Take(2)
                .Select(p => p with { Questions = p.Questions.Take(2).ToList() }).ToList(),
        };
        var train = dataset.Articles.Take(6).Select(Cut).Where(a => a.Paragraphs.Count > 0).ToList();
        var validation = dataset.Articles.Skip(6).Take(2).Select(Cut).Where(a => a.Paragraphs.Count > 0).ToList();
        TrainFile = Path.Combine(Folder, "train.json");
        ValidationFile = Path.Combine(Folder, "validation.json");
        SquadJson.Save(new SquadDataset(dataset.Version, train), TrainFile);
        SquadJson.Save(new SquadDataset(dataset.Version, validation), ValidationFile);

        TokenizerFolder = Path.Combine(Folder, "tokenizer");
        var vocabulary = new WordPieceVocabularyTrainer { VocabularySize = 1500, MinFrequency = 1 }
            .Train(TextCorpusReader.Read(TrainFile).Concat(TextCorpusReader.Read(ValidationFile)));
        WordPieceVocabularyTrainer.Save(vocabulary, TokenizerFolder);

        ConfigFile = Path.Combine(Folder, "config.json");
        File.WriteAllText(ConfigFile, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model_type"] = "bert",
            ["vocab_size"] = vocabulary.Count,
            ["hidden_size"] = 32,
            ["num_hidden_layers"] = 2,
            ["num_attention_heads"] = 2,
            ["intermediate_size"] = 64,
            ["max_position_embeddings"] = 128,
            ["hidden_dropout_prob"] = 0.0,
            ["attention_probs_dropout_prob"] = 0.0,
        }));
    }

    public string Folder { get; }
    public string TrainFile { get; }
    public string ValidationFile { get; }
    public string TokenizerFolder { get; }
    public string ConfigFile { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
