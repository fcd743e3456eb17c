using Mrc.Core.Data;
using Mrc.Tests;

namespace Mrc.Cli.Tests;

/// <summary>
/// The retrieval commands and `mrc runs` need no TorchSharp at run time: `mrc index build`,
/// `mrc search`, `mrc runs list`, `mrc corpus generate` and `mrc bench scale` run as a process from a copy of the command's build output with
/// TorchSharp, PyBridge and every native library (libtorch) taken out. Touching any TorchSharp type
/// would fail to load its assembly.
/// </summary>
public sealed class TorchFreeCommandsTests : IDisposable
{
    readonly string work = Directory.CreateTempSubdirectory("mrc-torch-free-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public async Task IndexBuildAndSearch_RunWithoutTorchSharpOrLibtorch()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release" : "Debug";
        var built = Path.Combine(TestData.RepositoryRoot, "src", "Mrc.Cli", "bin", configuration, "net10.0");
        var app = Path.Combine(work, "mrc");
        foreach (var file in Directory.EnumerateFiles(built))
        {
            var name = Path.GetFileName(file);
            // Without deps.json the host loads whatever assemblies the folder holds, so a missing one only
            // fails when code needs it.
            if (name.StartsWith("TorchSharp", StringComparison.Ordinal) || name == "mrc.deps.json") continue;
            Directory.CreateDirectory(app);
            File.Copy(file, Path.Combine(app, name));
        }
        Assert.False(Directory.Exists(Path.Combine(app, "runtimes")));

        var partA = SquadJson.Load(TestData.KorQuadPartA);
        var corpus = Path.Combine(work, "corpus.json");
        SquadJson.Save(partA with { Articles = [.. partA.Articles.Take(2)] }, corpus);
        var index = Path.Combine(work, "index");
        var timeout = TimeSpan.FromMinutes(2);

        var build = await ExternalProgram.RunAsync("dotnet", [Path.Combine(app, "mrc.dll"), "index", "build", "--corpus", corpus, "--out", index], work, timeout);
        Assert.True(build.Exit == 0, build.Error);
        var search = await ExternalProgram.RunAsync("dotnet", [Path.Combine(app, "mrc.dll"), "search", "--json", "--index", index, partA.Examples().First().Question], work, timeout);
        Assert.True(search.Exit == 0, search.Error);
        Assert.Contains(partA.Examples().First().Context![..20], search.Out, StringComparison.Ordinal);

        // Reading the run store needs no TorchSharp either.
        var runs = Path.Combine(work, "runs");
        using (var run = new Mrc.Core.Runs.RunStore(runs).Start(Mrc.Core.Runs.RunKinds.Reader, "r", new Dictionary<string, string>(), null, [])) run.End("finished");
        var list = await ExternalProgram.RunAsync("dotnet", [Path.Combine(app, "mrc.dll"), "runs", "list", "--runs-dir", runs], work, timeout);
        Assert.True(list.Exit == 0, list.Error);
        Assert.Contains("finished", list.Out, StringComparison.Ordinal);

        // Nor do the scale benchmark's corpus and measurements.
        var generated = Path.Combine(work, "generated.jsonl");
        var generate = await ExternalProgram.RunAsync("dotnet", [Path.Combine(app, "mrc.dll"), "corpus", "generate", "--dataset", corpus, "--passages", "60", "--out", generated], work, timeout);
        Assert.True(generate.Exit == 0, generate.Error);
        var bench = await ExternalProgram.RunAsync("dotnet", [Path.Combine(app, "mrc.dll"), "bench", "scale", "--corpus", generated, "--sizes", "60", "--warm-up", "0", "--json"], work, timeout);
        Assert.True(bench.Exit == 0, bench.Error);
        Assert.Contains("\"passages\":60", bench.Out, StringComparison.Ordinal);
    }
}
