using System.CommandLine;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Mrc.Contracts.V1;
using AdminClient = Mrc.Contracts.V1.LeaderboardAdmin.LeaderboardAdminClient;

namespace Mrc.Cli.Commands;

/// <summary>
/// `mrc admin ...`: the leaderboard's mrc.v1.LeaderboardAdmin API (sets and phases, teams and tokens,
/// reveals, baselines, CSV export, the audit log). The admin secret comes from --token or
/// MRC_ADMIN_SECRET. Replies print as JSON on stdout (the CSV export as CSV).
/// </summary>
internal static class AdminCommands
{
    const string SecretVariable = "MRC_ADMIN_SECRET";

    public static Command Create(CliConsole console) => new("admin", "Administer the leaderboard (admin secret required).")
    {
        new Command("set", "Evaluation sets: create, update, delete, reveal, export.")
        {
            CreateSet(console), UpdateSet(console), DeleteSet(console), Reveal(console), Export(console),
        },
        new Command("team", "Teams: list, create, rotate-token, delete.")
        {
            ListTeams(console), CreateTeam(console), RotateToken(console), DeleteTeam(console),
        },
        Baseline(console),
        Audit(console),
    };

    static Command CreateSet(CliConsole console)
    {
        var name = NameArgument("Name of the new evaluation set.");
        var file = new Option<FileInfo>("--file") { Description = "KorQuAD/SQuAD JSON or JSONL file.", Required = true };
        var share = new Option<double?>("--private-share") { Description = "Share of private questions (0..1); omitted: the server's default." };
        var (opens, closes, limit) = ScheduleOptions();
        var index = IndexOption();
        return Action(console, new Command("create", "Register an evaluation set.") { name, file, share, opens, closes, limit, index }, async (parse, client, token) =>
        {
            var path = parse.GetValue(file)!;
            var request = new CreateEvaluationSetRequest
            {
                Name = parse.GetValue(name)!,
                FileName = path.Name,
                Content = Google.Protobuf.ByteString.CopyFrom(await File.ReadAllBytesAsync(path.FullName, token)),
                FinalSubmissionLimit = parse.GetValue(limit),
                RetrieverIndex = parse.GetValue(index) ?? "",
            };
            if (parse.GetValue(share) is { } s) request.PrivateShare = s;
            if (Time(parse.GetValue(opens), "--opens") is { } o) request.OpensAt = o;
            if (Time(parse.GetValue(closes), "--closes") is { } c) request.ClosesAt = c;
            return await client.CreateEvaluationSetAsync(request, deadline: DateTime.UtcNow.AddMinutes(5), cancellationToken: token);
        });
    }

    static Command UpdateSet(CliConsole console)
    {
        var name = NameArgument("Evaluation set name.");
        var (opens, closes, limit) = ScheduleOptions();
        var clearOpens = new Option<bool>("--clear-opens") { Description = "Remove the opening time." };
        var clearCloses = new Option<bool>("--clear-closes") { Description = "Remove the closing time." };
        var index = IndexOption();
        var clearIndex = new Option<bool>("--clear-index") { Description = "Read the set against the retriever's default index again." };
        return Action(console, new Command("update", "Change a set's phases, final-submission limit or retriever index.")
            { name, opens, closes, limit, clearOpens, clearCloses, index, clearIndex },
            async (parse, client, token) =>
            {
                var request = new UpdateEvaluationSetRequest
                {
                    Name = parse.GetValue(name)!,
                    FinalSubmissionLimit = parse.GetValue(limit),
                    ClearOpensAt = parse.GetValue(clearOpens),
                    ClearClosesAt = parse.GetValue(clearCloses),
                };
                if (Time(parse.GetValue(opens), "--opens") is { } o) request.OpensAt = o;
                if (Time(parse.GetValue(closes), "--closes") is { } c) request.ClosesAt = c;
                if (IndexChange(parse.GetValue(index), parse.GetValue(clearIndex)) is { } newIndex) request.RetrieverIndex = newIndex;
                return await client.UpdateEvaluationSetAsync(request, deadline: Deadline(), cancellationToken: token);
            });
    }

    static Command DeleteSet(CliConsole console)
    {
        var name = NameArgument("Evaluation set name.");
        var cascade = new Option<bool>("--cascade") { Description = "Delete the set's submissions too; without it a set with submissions is refused." };
        return Action(console, new Command("delete", "Delete an evaluation set.") { name, cascade }, async (parse, client, token) =>
            await client.DeleteEvaluationSetAsync(new DeleteEvaluationSetRequest { Name = parse.GetValue(name)!, Cascade = parse.GetValue(cascade) },
                deadline: Deadline(), cancellationToken: token));
    }

    static Command Reveal(CliConsole console)
    {
        var name = NameArgument("Evaluation set name.");
        var hide = new Option<bool>("--hide") { Description = "Hide the private split again instead." };
        return Action(console, new Command("reveal", "Reveal a set's private scores to teams.") { name, hide }, async (parse, client, token) =>
            await client.SetPrivateRevealedAsync(new SetPrivateRevealedRequest { Name = parse.GetValue(name)!, Revealed = !parse.GetValue(hide) },
                deadline: Deadline(), cancellationToken: token));
    }

    static Command Export(CliConsole console)
    {
        var name = NameArgument("Evaluation set name.");
        var output = new Option<FileInfo?>("--output") { Description = "Write the CSV to this file instead of stdout." };
        var command = new Command("export", "The leaderboard as CSV, private columns included.") { name, output };
        return WithClient(console, command, async (parse, client, token) =>
        {
            var body = await client.ExportLeaderboardAsync(new ExportLeaderboardRequest { EvaluationSet = parse.GetValue(name)! },
                deadline: Deadline(), cancellationToken: token);
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllBytesAsync(file.FullName, body.Data.ToByteArray(), token);
                await console.Error.WriteLineAsync($"wrote {file.FullName}");
            }
            else
            {
                await console.Out.WriteAsync(body.Data.ToStringUtf8());
            }
            return 0;
        });
    }

    static Command ListTeams(CliConsole console) =>
        Action(console, new Command("list", "List the teams."), async (_, client, token) =>
            await client.ListTeamsAsync(new ListTeamsRequest(), deadline: Deadline(), cancellationToken: token));

    static Command CreateTeam(CliConsole console)
    {
        var name = NameArgument("Team name.");
        return Action(console, new Command("create", "Create a team; its token is printed once.") { name }, async (parse, client, token) =>
            await client.CreateTeamAsync(new CreateTeamRequest { Name = parse.GetValue(name)! }, deadline: Deadline(), cancellationToken: token));
    }

    static Command RotateToken(CliConsole console)
    {
        var name = NameArgument("Team name.");
        return Action(console, new Command("rotate-token", "Give a team a new token; the old one stops working.") { name }, async (parse, client, token) =>
            await client.RotateTeamTokenAsync(new RotateTeamTokenRequest { Name = parse.GetValue(name)! }, deadline: Deadline(), cancellationToken: token));
    }

    static Command DeleteTeam(CliConsole console)
    {
        var name = NameArgument("Team name.");
        var cascade = new Option<bool>("--cascade") { Description = "Delete the team's submissions too; without it a team with submissions is refused." };
        return Action(console, new Command("delete", "Delete a team.") { name, cascade }, async (parse, client, token) =>
            await client.DeleteTeamAsync(new DeleteTeamRequest { Name = parse.GetValue(name)!, Cascade = parse.GetValue(cascade) },
                deadline: Deadline(), cancellationToken: token));
    }

    static Command Baseline(CliConsole console)
    {
        var id = new Argument<long>("submission-id") { Description = "A succeeded submission." };
        var unpin = new Option<bool>("--unpin") { Description = "Take the baseline off again." };
        return Action(console, new Command("baseline", "Pin a submission to the leaderboard as an unranked baseline row.") { id, unpin }, async (parse, client, token) =>
            await client.PinBaselineAsync(new PinBaselineRequest { SubmissionId = parse.GetValue(id), Pinned = !parse.GetValue(unpin) },
                deadline: Deadline(), cancellationToken: token));
    }

    static Command Audit(CliConsole console)
    {
        var size = new Option<int>("--limit") { Description = "Entries to show (1..1000).", DefaultValueFactory = _ => 50 };
        return Action(console, new Command("audit", "The audit log, newest first.") { size }, async (parse, client, token) =>
            await client.ListAuditEntriesAsync(new ListAuditEntriesRequest { PageSize = parse.GetValue(size) }, deadline: Deadline(), cancellationToken: token));
    }

    static Argument<string> NameArgument(string description) => new("name") { Description = description };

    static (Option<string?> Opens, Option<string?> Closes, Option<int> Limit) ScheduleOptions() => (
        new Option<string?>("--opens") { Description = "Opening time, ISO 8601 with an offset or Z (e.g. 2026-12-01T09:00+09:00)." },
        new Option<string?>("--closes") { Description = "Closing time (deadline), ISO 8601 with an offset or Z." },
        new Option<int>("--final-limit") { Description = "Submissions a team may mark final (1..20; 0 keeps or defaults to 2)." });

    static Option<string?> IndexOption() => new("--index")
    {
        Description = "The retriever index model runs on the set search (a name the retriever's ListIndexes gives); omitted: its default index.",
    };

    /// <summary>The index an update sets: the name given, "" (the default) for --clear-index, or null to keep the current one.</summary>
    internal static string? IndexChange(string? index, bool clear)
    {
        if (clear && index is not null) throw new ArgumentException("Give --index or --clear-index, not both.");
        if (index is not null && string.IsNullOrWhiteSpace(index))
            throw new ArgumentException("--index needs a name; --clear-index goes back to the retriever's default index.");
        return clear ? "" : index;
    }

    /// <summary>An ISO 8601 time with its offset; a time without one is refused rather than guessed.</summary>
    static Timestamp? Time(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            || !System.Text.RegularExpressions.Regex.IsMatch(text, @"T.*(Z|[+-]\d\d:?\d\d)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
            throw new ArgumentException($"{option} must be an ISO 8601 time with an offset or Z, e.g. 2026-12-01T09:00+09:00, not \"{text}\".");
        return Timestamp.FromDateTimeOffset(time);
    }

    static DateTime Deadline() => DateTime.UtcNow.AddMinutes(1);

    static Command Action<T>(CliConsole console, Command command, Func<ParseResult, AdminClient, CancellationToken, Task<T>> call)
        where T : Google.Protobuf.IMessage =>
        WithClient(console, command, async (parse, client, token) =>
        {
            await console.Out.WriteLineAsync(LeaderboardCommands.Formatter.Format(await call(parse, client, token)));
            return 0;
        });

    static Command WithClient(CliConsole console, Command command, Func<ParseResult, AdminClient, CancellationToken, Task<int>> run)
    {
        var server = LeaderboardCommands.ServerOption();
        var secret = new Option<string?>("--token") { Description = $"The admin secret (default: ${SecretVariable})." };
        command.Add(server);
        command.Add(secret);
        command.SetAction((parse, cancellationToken) => CommandErrors.Guard(console, async () =>
        {
            var token = parse.GetValue(secret) is { Length: > 0 } given ? given
                : Environment.GetEnvironmentVariable(SecretVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
                : throw new ArgumentException($"The admin secret is needed: --token or ${SecretVariable}.");
            using var channel = LeaderboardCommands.Channel(parse.GetValue(server)!, token);
            return await run(parse, new AdminClient(channel), cancellationToken);
        }));
        return command;
    }
}
