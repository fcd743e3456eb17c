using Mrc.Core.Data;
using Mrc.Core.Runs;
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

    [Fact]
    public void TrackedRun_RecordsEachStage_AsAFinishedRunWithItsMetrics_NamedAndTaggedFromTheConfig()
    {
        string work = NewFolder("tracked");
        string runs = Path.Combine(work, "runs");
        var plan = PlanOf(work, Config(Path.Combine(work, "out"), $"""
            log_steps: 1
            tracking:
              runs_dir: {runs}
              name: two-step
              tags: [korquad, tiny]
            stages:
              - {"{"}name: external, train: {setup.ValidationFile}, max_steps: 2{"}"}
              - {"{"}name: competition, train: {setup.TrainFile}, validation: {setup.ValidationFile}, max_steps: 3{"}"}
            """));

        new StagedRun(plan, track: StagedRun.TrackEachStage(plan)).Run();

        var store = new RunStore(runs);
        var recorded = store.List().OrderBy(r => r.StartedUtc).ToList();
        Assert.Equal(["two-step/external", "two-step/competition"], recorded.Select(r => r.Name));
        Assert.All(recorded, r =>
        {
            Assert.Equal(RunKinds.Reader, r.Kind);
            Assert.Equal(RunStatuses.Finished, r.Status);
            Assert.Equal(["korquad", "tiny"], r.Tags);
        });
        Assert.Equal([plan.Stages[0].OutputFolder, plan.OutputFolder], recorded.Select(r => r.Output));
        Assert.Equal("0.003", recorded[1].Config["learning_rate"]);
        // One loss line per step (log_steps 1); the validated stage is scored once, at its end.
        Assert.Equal([1, 2], store.ReadMetrics(recorded[0].Id).Where(m => !m.IsEvaluation).Select(m => m.Step));
        var competition = store.ReadMetrics(recorded[1].Id);
        Assert.Equal([1, 2, 3], competition.Where(m => !m.IsEvaluation).Select(m => m.Step));
        Assert.Equal([3], competition.Where(m => m.IsEvaluation).Select(m => m.Step));
        var card = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(plan.OutputFolder, "model-card.json")))!;
        Assert.Equal(recorded[1].Id, (string?)card["run_id"]);
    }

    [Fact]
    public async Task ConvHeadConfig_ReachesTheTrainer_AndTheReaderLoadsTheFolder()
    {
        string work = NewFolder("conv");
        var plan = PlanOf(work, Config(Path.Combine(work, "out"), $"""
            head: conv
            train: {setup.TrainFile}
            max_steps: 2
            """));

        new StagedRun(plan).Run();

        Assert.Equal("conv", plan.Stages[0].Reader!.Head);
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(plan.OutputFolder, "config.json")))!;
        Assert.Equal("conv", (string?)config["mrc_head"]);
        Assert.Contains("head: \"conv\"", File.ReadAllText(Path.Combine(plan.OutputFolder, RunConfigWriter.FileName)), StringComparison.Ordinal);
        await using var reader = Mrc.Reading.Models.ReaderFactory.Load(plan.OutputFolder, device: "cpu");
        var window = Mrc.Reading.Inference.QaFeatures.Prepare(reader.Tokenizer, "수도는 어디인가?", "대한민국의 수도는 서울이다.", 96, 32, 24)[0];
        var logits = reader.Executor.Run([window])[0];
        Assert.Equal(window.Length, logits.StartLogits.Length);
        Assert.All(logits.StartLogits, l => Assert.True(float.IsFinite(l)));
    }
}
