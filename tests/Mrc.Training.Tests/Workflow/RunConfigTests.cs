using Mrc.Core.Data;
using Mrc.Training.Configuration;
using Mrc.Training.Stages;

namespace Mrc.Training.Tests.Workflow;

/// <summary>Run configurations from hand-written YAML: reading, resolving, overriding, saving, and bad input.</summary>
public sealed class RunConfigTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("mrc-runconfig-").FullName;

    public RunConfigTests()
    {
        Directory.CreateDirectory(Path.Combine(folder, "base"));
        Directory.CreateDirectory(Path.Combine(folder, "data"));
        foreach (var name in new[] { "external.json", "train.json", "dev.json", "klue.txt" })
            File.WriteAllText(Path.Combine(folder, "data", name), "{}");
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    string Write(string yaml, string name = "run.yaml")
    {
        string path = Path.Combine(folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
        return path;
    }

    string Data(string name) => Path.Combine(folder, "data", name);

    const string TwoStages = """
        model: base
        out: models/ko/3
        head: linear
        seed: 7
        validation: data/dev.json
        learning_rate: 3e-4
        stages:
          - name: external
            train: data/external.json
            epochs: 1
          - name: competition
            train: data/train.json
            epochs: 2
            curriculum: true
            learning_rate: 1e-4
        """;

    [Fact]
    public void Stages_TakeTopLevelDefaults_TheirOwnSettings_AndChainOutputs()
    {
        var plan = RunPlanner.Plan(RunConfigReader.Read(Write(TwoStages)));

        Assert.Equal(2, plan.Stages.Count);
        var (external, competition) = (plan.Stages[0].Reader!, plan.Stages[1].Reader!);
        // Paths are taken from the config file's folder.
        Assert.Equal(Path.Combine(folder, "base"), external.ModelFolder);
        Assert.Equal(Data("external.json"), external.TrainFile);
        Assert.Equal(Data("dev.json"), external.ValidationFile);
        Assert.Equal(1.0, external.Epochs);
        Assert.Equal(3e-4, external.LearningRate);
        Assert.False(external.Curriculum);
        Assert.Equal(7, external.Seed);
        // Stage 2 starts from stage 1's output; the last stage writes `out`.
        Assert.Equal(Path.Combine(folder, "models", "ko", "3.stages", "1-external"), external.OutputFolder);
        Assert.Equal(external.OutputFolder, competition.ModelFolder);
        Assert.Equal(Path.Combine(folder, "models", "ko", "3"), competition.OutputFolder);
        Assert.Equal(2.0, competition.Epochs);
        Assert.Equal(1e-4, competition.LearningRate);
        Assert.True(competition.Curriculum);
        // Keys not given take the trainer's defaults.
        Assert.Equal(384, competition.MaxSeqLength);
        Assert.Equal(16, competition.BatchSize);
        Assert.Equal("linear", competition.Head);
    }

    [Fact]
    public void CommandLine_OverridesTheFile_ForTheRunOrForOneStage()
    {
        var config = RunConfigReader.Read(Write(TwoStages));

        config.Set("learning_rate=5e-5");                 // beats both the top level and stage 2's own value
        config.Set("stages.external.epochs=0.5");
        config.Set("stages.2.batch_size=4");
        config.SetFlag(RunKeys.Find("curriculum")!, ["false"]);
        config.Set($"out={Path.Combine(folder, "elsewhere")}");
        var plan = RunPlanner.Plan(config);

        Assert.All(plan.Stages, s => Assert.Equal(5e-5, s.Reader!.LearningRate));
        Assert.Equal(0.5, plan.Stages[0].Reader!.Epochs);
        Assert.Equal(2.0, plan.Stages[1].Reader!.Epochs);
        Assert.Equal(16, plan.Stages[0].Reader!.BatchSize);
        Assert.Equal(4, plan.Stages[1].Reader!.BatchSize);
        Assert.False(plan.Stages[1].Reader!.Curriculum);
        Assert.Equal(Path.Combine(folder, "elsewhere"), plan.OutputFolder);
    }

    [Fact]
    public void SavedConfig_ReadsBackToTheSamePlan()
    {
        var plan = RunPlanner.Plan(RunConfigReader.Read(Write(TwoStages)));
        string saved = Write(RunConfigWriter.Write(plan), Path.Combine("copy", "run.yaml"));

        var again = RunPlanner.Plan(RunConfigReader.Read(saved));

        Assert.Equal(plan.Stages.Select(s => s.Reader), again.Stages.Select(s => s.Reader));
        Assert.Equal(plan.Start, again.Start);
        Assert.Contains("learning_rate: 0.0003", File.ReadAllText(saved), StringComparison.Ordinal);
        Assert.Contains("max_seq_length: 384", File.ReadAllText(saved), StringComparison.Ordinal); // defaults are written out
    }

    [Fact]
    public void SingleRun_WithoutStages_IsOneStage_AndMlmStagesTakeTheirOwnKeys()
    {
        var reader = RunPlanner.Plan(RunConfigReader.Read(Write("model: base\nout: out\ntrain: data/train.json\nepochs: 3\n")));
        var mlm = RunPlanner.Plan(RunConfigReader.Read(Write("""
            model: base
            out: out
            learning_rate: 1e-3
            stages:
              - {name: tapt, task: mlm, corpus: [data/klue.txt, data/train.json], max_length: 64}
              - {name: qa, train: data/train.json}
            """)));

        Assert.Equal(3.0, Assert.Single(reader.Stages).Reader!.Epochs);
        var tapt = mlm.Stages[0].Mlm!;
        Assert.Equal([Data("klue.txt"), Data("train.json")], tapt.CorpusFiles);
        Assert.Equal(64, tapt.MaxLength);
        Assert.Equal(1e-3, tapt.LearningRate);
        Assert.Equal(tapt.OutputFolder, mlm.Stages[1].Reader!.ModelFolder);
    }

    [Fact]
    public void Mix_TrainsOnceOnTheUnion_WithTheLastStagesSettings_FromTheStartModel()
    {
        var plan = RunPlanner.Plan(RunConfigReader.Read(Write(TwoStages + "\nmix: true\n")));

        var mixed = Assert.Single(plan.Stages).Reader!;
        Assert.Equal(2, plan.Configured.Count);
        Assert.Equal(Path.Combine(folder, "base"), mixed.ModelFolder);
        Assert.Equal(Path.Combine(folder, "models", "ko", "3.stages", RunPlanner.MixedTrainName), mixed.TrainFile);
        Assert.Equal(2.0, mixed.Epochs);
        Assert.True(mixed.Curriculum);
        Assert.Equal(Path.Combine(folder, "models", "ko", "3"), mixed.OutputFolder);
    }

    [Theory]
    // Each case: the YAML, the line the error must name, and text the message must contain.
    [InlineData("model: base\nout: out\ntrain: data/train.json\nlerning_rate: 1e-4\n", 4, "unknown key 'lerning_rate' (did you mean 'learning_rate'?)")]
    [InlineData("model: base\nout: out\ntrain: data/train.json\nepochs: two\n", 4, "key 'epochs': expected a number, got 'two'")]
    [InlineData("model: base\nout: out\ntrain: data/train.json\nbatch_size: 8.5\n", 4, "key 'batch_size': expected an integer, got '8.5'")]
    [InlineData("model: base\nout: out\ntrain: data/train.json\ncurriculum: yes please\n", 4, "key 'curriculum': expected true or false")]
    [InlineData("model: base\nout: out\ntrain: data/train.json\nlearning_rate: 0\n", 4, "key 'learning_rate': 0 is out of range")]
    [InlineData("model: base\nout: out\n\ntrain: data/missing.json\n", 4, "key 'train': file not found")]
    [InlineData("model: nowhere\nout: out\ntrain: data/train.json\n", 1, "key 'model': folder not found")]
    [InlineData("model: base\nout: out\nstages:\n  - train: data/train.json\n    curriculm: true\n", 5, "unknown key 'curriculm'")]
    [InlineData("model: base\nout: out\nstages:\n  - train: data/train.json\n    out: other\n", 5, "key 'out' describes the whole run")]
    [InlineData("model: base\nout: out\nstages:\n  - task: mlm\n    corpus: data/klue.txt\n    curriculum: true\n", 6, "key 'curriculum' applies to reader stages only")]
    [InlineData("model: base\nout: out\nstages:\n  - epochs: 1\n", 4, "stage 'train' needs 'train'")]
    [InlineData("model: base\nout: out\ntrain: [data/train.json\n", 4, "")]
    [InlineData("model: base\nout: out\ntrain: data/train.json\nepochs: 1\nepochs: 2\n", 5, "epochs")]
    [InlineData("model: base\nout: out\ntrain: data/train.json\ntracking:\n  runs_dir: runs\n  nmae: x\n", 6, "unknown key 'tracking.nmae' (did you mean 'tracking.name'?)")]
    [InlineData("model: base\nout: out\ntrain: data/train.json\ntracking:\n  tags: {a: b}\n", 5, "key 'tracking.tags': expected a single value, got a mapping")]
    [InlineData("model: base\nout: out\ntrain: data/train.json\ntracking:\n  name: [a, b]\n", 5, "key 'tracking.name': expected a single value, got a list")]
    [InlineData("model: base\nout: out\ntrain: data/train.json\ntracking: runs\n", 4, "'tracking' must be a mapping of runs_dir, name and tags")]
    [InlineData("model: base\nout: out\ntrain: data/train.json\ntracking:\n  runs_dir: data/dev.json\n", 5, "key 'tracking.runs_dir': ")]
    [InlineData("model: base\nout: out\nstages:\n  - train: data/train.json\n    tracking: {name: x}\n", 5, "'tracking' describes the whole run")]
    [InlineData("model: base\nout: out\ntrain: data/train.json\nhead: cnn\n", 4, "key 'head': expected one of linear, conv, got 'cnn'")]
    public void BadInput_StopsBeforeTraining_NamingTheKeyAndLine(string yaml, int line, string expected)
    {
        string path = Write(yaml);

        var error = Assert.Throws<DataFormatException>(() => RunPlanner.Plan(RunConfigReader.Read(path)));

        Assert.Equal(path, error.File);
        Assert.Equal(line, error.Line);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExampleConfigs_HoldOnlyKnownKeysOfTheRightType()
    {
        var files = Directory.GetFiles(Path.Combine(Mrc.Tests.TestData.RepositoryRoot, "configs"), "*.yaml");

        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            if (Path.GetFileName(file).StartsWith("sweep", StringComparison.Ordinal)) Assert.NotEmpty(Mrc.Training.Sweeps.SweepSpace.Trials(Mrc.Training.Sweeps.SweepConfigReader.Read(file)));
            else Assert.NotEmpty(RunConfigReader.Read(file).Top);
        }
    }

    [Fact]
    public void BadOverride_NamesTheSetting()
    {
        var config = RunConfigReader.Read(Write(TwoStages));

        var unknown = Assert.Throws<DataFormatException>(() => config.Set("stages.nope.epochs=1"));
        var type = Assert.Throws<DataFormatException>(() => config.Set("seed=abc"));

        Assert.Contains("no stage 'nope' (stages: external, competition)", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("command line (--set seed): key 'seed': expected an integer, got 'abc'", type.Message);
    }

    [Fact]
    public void Tracking_IsReadFromItsSection_OverriddenByTheCommandLine_AndSaved()
    {
        var config = RunConfigReader.Read(Write("""
            model: base
            out: out
            train: data/train.json
            tracking:
              runs_dir: runs
              name: baseline
              tags: [korquad, small]
            """));
        var fromFile = RunPlanner.Plan(config);
        config.SetFlag(RunKeys.Find(RunKeys.Tags)!, ["night"]);
        config.Set("tracking.name=second");
        var overridden = RunPlanner.Plan(config);
        string saved = RunConfigWriter.Write(overridden);

        Assert.Equal(new TrackingSettings(Path.Combine(folder, "runs"), "baseline", ["korquad", "small"]), fromFile.Tracking, TrackingComparer);
        Assert.Equal("second/train", overridden.Tracking.RunNameOf(overridden.Stages[0]));
        Assert.Equal(["night"], overridden.Tracking.Tags);
        Assert.Equal("--runs-dir", RunKeys.Find(RunKeys.RunsFolder)!.Flag);
        Assert.Contains("tracking:\n  runs_dir: ", saved, StringComparison.Ordinal);
        // The saved file reads back to the same tracking.
        var again = RunPlanner.Plan(RunConfigReader.Read(Write(saved, "saved/run.yaml")));
        Assert.Equal(overridden.Tracking, again.Tracking, TrackingComparer);
    }

    [Fact]
    public void Tracking_Defaults_ToTheCurrentFoldersRunStore_AndTheFilesName()
    {
        var plan = RunPlanner.Plan(RunConfigReader.Read(Write("model: base\nout: out\ntrain: data/train.json\n", "reader-small.yaml")));

        Assert.Equal(Path.GetFullPath(".local/runs"), plan.Tracking.RunsFolder);
        Assert.Equal("reader-small", plan.Tracking.Name);
        Assert.Empty(plan.Tracking.Tags);
        // No tags are saved as an empty list and read back as one.
        var again = RunPlanner.Plan(RunConfigReader.Read(Write(RunConfigWriter.Write(plan), "saved/run.yaml")));
        Assert.Equal(plan.Tracking, again.Tracking, TrackingComparer);
    }

    static readonly IEqualityComparer<TrackingSettings> TrackingComparer = EqualityComparer<TrackingSettings>.Create(
        (a, b) => a!.RunsFolder == b!.RunsFolder && a.Name == b.Name && a.Tags.SequenceEqual(b.Tags), t => t.Name.GetHashCode(StringComparison.Ordinal));
}
