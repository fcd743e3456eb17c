using Microsoft.Extensions.Options;

namespace Mrc.Leaderboard.Domain;

/// <summary>
/// Registers the demo evaluation set and team that <see cref="DemoOptions"/> names, once: later starts
/// find them by name and leave them (and everything submitted against them) as they are.
/// </summary>
public static partial class DemoSeeding
{
    public static async Task SeedDemoAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        using var scope = services.CreateScope();
        var demo = scope.ServiceProvider.GetRequiredService<IOptions<DemoOptions>>().Value;
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DemoSeeding));

        if (demo.EvaluationSetPath.Length > 0)
        {
            var sets = scope.ServiceProvider.GetRequiredService<EvaluationSetService>();
            string name = demo.EvaluationSetName.Trim();
            if (!(await sets.ListAsync(cancellationToken)).Any(s => s.Name == name))
            {
                if (!File.Exists(demo.EvaluationSetPath))
                    throw new FileNotFoundException($"Demo:EvaluationSetPath names a file that does not exist: {demo.EvaluationSetPath}", demo.EvaluationSetPath);
                await using var file = File.OpenRead(demo.EvaluationSetPath);
                var set = await sets.RegisterAsync(name, Path.GetFileName(demo.EvaluationSetPath), file, cancellationToken: cancellationToken);
                RegisteredSet(logger, set.Name, set.QuestionCount, set.PublicCount, set.PrivateCount);
            }
        }

        if (demo.TeamName.Length > 0)
        {
            var teams = scope.ServiceProvider.GetRequiredService<TeamService>();
            string name = demo.TeamName.Trim();
            if (!(await teams.ListAsync(cancellationToken)).Any(t => t.Name == name))
            {
                await teams.CreateAsync(name, demo.TeamToken, cancellationToken);
                RegisteredTeam(logger, name);
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Registered the demo evaluation set {Name}: {Questions} questions ({Public} public, {Private} private)")]
    static partial void RegisteredSet(ILogger logger, string name, int questions, int @public, int @private);

    [LoggerMessage(LogLevel.Information, "Registered the demo team {Name}; it signs in with the configured Demo:TeamToken")]
    static partial void RegisteredTeam(ILogger logger, string name);
}
