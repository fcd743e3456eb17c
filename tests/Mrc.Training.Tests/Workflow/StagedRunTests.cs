using Mrc.Core.Data;
using Mrc.Reading.Checkpoints;
using Mrc.Training.Configuration;
using Mrc.Training.ReaderTraining;
using Mrc.Training.Stages;

namespace Mrc.Training.Tests.Workflow;

/// <summary>Tiny staged and mixed runs on the CPU, checked against the trainer run directly.</summary>
[Collection(SeededTraining.Name)]
public sealed class StagedRunTests(TinyTrainingSetup setup) : IClassFixture<TinyTrainingSetup>
{
    string NewFolder(string name) => Path.Combine(setup.Folder, name + "-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>A fresh tiny model (config.json + vocabulary) and reader settings small enough for seconds of CPU.</summary>
    string Config(string output, string body) => $"""
        model_config: {setup.ConfigFile}
        tokenizer: {setup.TokenizerFolder}
        out: {output}
        device: cpu
        max_seq_length: 96
        doc_stride: 32
        max_query_length: 24
        batch_size: 8
        learning_rate: 3e-3
        warmup_ratio: 0
        {body}
        """;

    static RunPlan PlanOf(string folder, string yaml)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "run.yaml");
        File.WriteAllText(path, yaml);
        return RunPlanner.Plan(RunConfigReader.Read(path));
    }

    static void AssertSameWeights(string expected, string actual)
    {
        var a = CheckpointLoader.ReadStateDict(expected, out _);
        var b = CheckpointLoader.ReadStateDict(actual, out _);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, tensor) in a)
            Assert.True(tensor.allclose(b[name], rtol: 0, atol: 0), $"{name} differs between {expected} and {actual}");
    }

    [Fact]
    public void SecondStage_StartsFromTheFirstStagesWeights()
    {
        string work = NewFolder("staged");
        var plan = PlanOf(work, Config(Path.Combine(work, "out"), $"""
            stages:
              - {"{"}name: external, train: {setup.ValidationFile}, max_steps: 2{"}"}
              - {"{"}name: competition, train: {setup.TrainFile}, max_steps: 2{"}"}
            """));

        new StagedRun(plan).Run();

        // The same two trainings by hand: the first from the fresh start model, the second from the first's output.
        var first = plan.Stages[0].Reader!;
        string byHandFirst = NewFolder("first");
        new ReaderTrainer(first with { OutputFolder = byHandFirst }).Run();
        string byHandSecond = NewFolder("second");
        new ReaderTrainer(plan.Stages[1].Reader! with { ModelFolder = byHandFirst, OutputFolder = byHandSecond }).Run();
        AssertSameWeights(byHandFirst, first.OutputFolder);
        AssertSameWeights(byHandSecond, plan.OutputFolder);
        Assert.True(File.Exists(Path.Combine(plan.OutputFolder, RunConfigWriter.FileName)));
    }

    [Fact]
    public void MixedSet_HoldsEveryQuestionOfBothFiles_Shuffled()
    {
        var a = QuestionSetReader.Load(setup.TrainFile);
        var b = QuestionSetReader.Load(setup.ValidationFile);

        var union = MixedTrainingSet.Union([setup.TrainFile, setup.ValidationFile], seed: 42);

        Assert.Equal(a.Concat(b).Select(e => e.Id).Order(StringComparer.Ordinal), union.Select(e => e.Id).Order(StringComparer.Ordinal));
        // Shuffled: the second file's questions do not all come last, and the order is the seed's.
        var fromB = b.Select(e => e.Id).ToHashSet();
        Assert.Contains(union.Take(a.Count), e => fromB.Contains(e.Id));
        Assert.Equal(union.Select(e => e.Id), MixedTrainingSet.Union([setup.TrainFile, setup.ValidationFile], seed: 42).Select(e => e.Id));
        Assert.NotEqual(union.Select(e => e.Id), MixedTrainingSet.Union([setup.TrainFile, setup.ValidationFile], seed: 43).Select(e => e.Id));
    }

    [Fact]
    public void MixedRun_TrainsOnTheWrittenUnion()
    {
        string work = NewFolder("mixed");
        var plan = PlanOf(work, Config(Path.Combine(work, "out"), $"""
            mix: true
            stages:
              - {"{"}name: external, train: {setup.ValidationFile}{"}"}
              - {"{"}name: competition, train: {setup.TrainFile}, max_steps: 2{"}"}
            """));

        var results = new StagedRun(plan).Run();

        var stage = Assert.Single(results);
        Assert.Equal(2, stage.Steps);
        var written = QuestionSetReader.Load(plan.Stages[0].Reader!.TrainFile);
        Assert.Equal(MixedTrainingSet.Union([setup.ValidationFile, setup.TrainFile], seed: 42).Select(e => e.Id), written.Select(e => e.Id));
        Assert.Contains("mix: true", File.ReadAllText(Path.Combine(plan.OutputFolder, RunConfigWriter.FileName)), StringComparison.Ordinal);
    }
}
