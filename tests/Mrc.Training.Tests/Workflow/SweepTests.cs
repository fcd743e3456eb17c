using Mrc.Core.Data;
using Mrc.Training.Configuration;
using Mrc.Training.Sweeps;

namespace Mrc.Training.Tests.Workflow;

/// <summary>Sweep enumeration, successive halving and resuming, with a fake trial runner whose results are set in advance.</summary>
public sealed class SweepTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("mrc-sweep-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Returns the F1 it is given for (trial, rung), and records every call, as the real runner is called.</summary>
    sealed class FakeRunner(Func<int, int, double> f1, int? failOnCall = null) : ITrialRunner
    {
        public List<(int Id, int Rung, int? Budget, bool Continuing)> Calls { get; } = [];

        public RungResult Run(TrialState trial, int rung, int? budgetSteps, bool continuing, CancellationToken cancellation)
        {
            if (Calls.Count + 1 == failOnCall) throw new OperationCanceledException("interrupted");
            Calls.Add((trial.Id, rung, budgetSteps, continuing));
            return new RungResult(rung, budgetSteps ?? 10, f1(trial.Id, rung), f1(trial.Id, rung) / 2);
        }
    }

    SweepConfig Sweep(string yaml)
    {
        File.WriteAllText(Path.Combine(folder, "run.yaml"), "model: .\nout: out\n");
        string path = Path.Combine(folder, "sweep.yaml");
        File.WriteAllText(path, "run: run.yaml\nout: sweep\n" + yaml);
        return SweepConfigReader.Read(path);
    }

    [Fact]
    public void Grid_EnumeratesEveryCombination_LastKeyFastest()
    {
        var sweep = Sweep("parameters:\n  learning_rate: [1e-4, 3e-4]\n  stages.competition.epochs: [1, 2, 3]\n");

        var trials = SweepSpace.Trials(sweep);

        Assert.Equal(
            [("1e-4", "1"), ("1e-4", "2"), ("1e-4", "3"), ("3e-4", "1"), ("3e-4", "2"), ("3e-4", "3")],
            trials.Select(t => (t["learning_rate"], t["stages.competition.epochs"])));
    }

    [Fact]
    public void Random_DrawsTheSeedsValues_WithinTheirRanges()
    {
        var sweep = Sweep("method: random\ntrials: 20\nseed: 5\nparameters:\n  learning_rate: {min: 1e-5, max: 1e-3, log: true}\n  warmup_ratio: {min: 0, max: 0.2}\n  batch_size: [8, 16]\n");

        var trials = SweepSpace.Trials(sweep);
        var again = SweepSpace.Trials(sweep);
        var other = SweepSpace.Trials(sweep with { Seed = 6 });

        Assert.Equal(20, trials.Count);
        Assert.All(trials, t =>
        {
            Assert.InRange(double.Parse(t["learning_rate"], System.Globalization.CultureInfo.InvariantCulture), 1e-5, 1e-3);
            Assert.InRange(double.Parse(t["warmup_ratio"], System.Globalization.CultureInfo.InvariantCulture), 0, 0.2);
            Assert.Contains(t["batch_size"], new[] { "8", "16" });
        });
        // Log-uniform: learning rates below 1e-4 (half the decades) are about half the draws, not about 9 %.
        Assert.InRange(trials.Count(t => double.Parse(t["learning_rate"], System.Globalization.CultureInfo.InvariantCulture) < 1e-4), 5, 15);
        Assert.Equal(trials.Select(t => t["learning_rate"]), again.Select(t => t["learning_rate"]));
        Assert.NotEqual(trials.Select(t => t["learning_rate"]), other.Select(t => t["learning_rate"]));
    }

    [Fact]
    public void Halving_KeepsTheBestThird_AndContinuesThemWithThreeTimesTheSteps()
    {
        var sweep = Sweep("parameters:\n  seed: [1, 2, 3, 4, 5, 6, 7, 8, 9]\nhalving: {eta: 3, min_steps: 10, rungs: 2}\n");
        // Rung 0: F1 = (id × 7) mod 10 → trials 3 (1), 6 (2), 9 (3) ... the best three are 7 (9), 4 (8), 1 (7).
        // Rung 1: trial 1 overtakes (F1 50 against 40 and 30).
        var runner = new FakeRunner((id, rung) => rung == 0 ? id * 7 % 10 : id switch { 1 => 50, 4 => 40, _ => 30 });

        var state = new SweepRunner(sweep, runner).Run(resume: false);

        Assert.Equal(Enumerable.Range(1, 9).Select(id => (id, 0, (int?)10, false)), runner.Calls.Take(9));
        Assert.Equal([(1, 1, 30, true), (4, 1, 30, true), (7, 1, 30, true)], runner.Calls.Skip(9).Select(c => (c.Id, c.Rung, c.Budget ?? 0, c.Continuing)));
        Assert.Equal(1, state.BestTrial);
        Assert.Equal([2, 3, 5, 6, 8, 9], state.Trials.Where(t => t.StoppedAfterRung == 0).Select(t => t.Id));
        Assert.Equal([2, 3], SuccessiveHalving.Survivors([(1, 5), (2, 9), (3, 9), (4, 1)], eta: 1.5)); // ⌊4/1.5⌋ = 2 kept
        Assert.Equal([1], SuccessiveHalving.Survivors([(1, 5), (2, 5), (3, 1)], eta: 3));              // a tie goes to the earlier trial
    }

    [Fact]
    public void Resume_SkipsFinishedTrials_AndRefusesToOverwriteWithoutIt()
    {
        var sweep = Sweep("parameters:\n  seed: [1, 2, 3, 4]\n");
        var interrupted = new FakeRunner((id, _) => id, failOnCall: 3);

        Assert.Throws<OperationCanceledException>(() => new SweepRunner(sweep, interrupted).Run(resume: false));
        var saved = SweepState.Load(sweep.OutputFolder)!;
        var resumed = new FakeRunner((id, _) => id);
        var state = new SweepRunner(sweep, resumed).Run(resume: true);

        Assert.Equal([1, 2], saved.Trials.Where(t => t.Results.Count > 0).Select(t => t.Id));
        Assert.Equal([3, 4], resumed.Calls.Select(c => c.Id));
        Assert.Equal(4, state.BestTrial);
        Assert.Throws<ArgumentException>(() => new SweepRunner(sweep, new FakeRunner((id, _) => id)).Run(resume: false));
    }

    [Fact]
    public void NextVersion_FollowsTheHighestVersionOfThatModel_IgnoringFoldersThatAreNoVersion()
    {
        string repository = Path.Combine(folder, "models");
        Assert.Equal("1", ModelVersions.Next(repository, "ko"));
        foreach (var v in new[] { "1", "2", "10", "9.1", "11.stages" })
        {
            Directory.CreateDirectory(Path.Combine(repository, "ko", v));
            if (!v.EndsWith(".stages", StringComparison.Ordinal)) File.WriteAllText(Path.Combine(repository, "ko", v, "config.json"), "{}");
        }
        Directory.CreateDirectory(Path.Combine(repository, "other", "20"));
        File.WriteAllText(Path.Combine(repository, "other", "20", "config.json"), "{}");

        Assert.Equal("11", ModelVersions.Next(repository, "ko"));
    }

    [Theory]
    [InlineData("parameters:\n  learning_rate: [1e-4]\nhalvng: {}\n", 5, "unknown key 'halvng'")]
    [InlineData("parameters:\n  learning_rate: {min: 1e-5, max: 1e-3}\n", 4, "a grid needs a list of values")]
    [InlineData("method: random\nparameters:\n  learning_rate: [1e-4]\n", 1, "random search needs 'trials'")]
    [InlineData("parameters:\n  learning_rate: [1e-4]\nhalving: {eta: 1, min_steps: 5}\n", 5, "key 'eta': must be above 1")]
    public void BadSweep_NamesTheKeyAndLine(string yaml, int line, string expected)
    {
        var error = Assert.Throws<DataFormatException>(() => Sweep(yaml));

        Assert.Equal(line, error.Line);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
