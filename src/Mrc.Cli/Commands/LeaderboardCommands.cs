using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Mrc.Contracts.V1;
using LeaderboardClient = Mrc.Contracts.V1.Leaderboard.LeaderboardClient;

namespace Mrc.Cli.Commands;

/// <summary>
/// `mrc submit`, `mrc leaderboard` and `mrc final`: scripted access to the leaderboard's mrc.v1.Leaderboard gRPC
/// API. --server is the leaderboard's gRPC endpoint (cleartext HTTP/2, port 5081 by default); the
/// team token comes from --token or the MRC_TOKEN environment variable.
/// </summary>
internal static class LeaderboardCommands
{
    /// <summary>Exit code of `mrc submit --wait` when the run ended failed or cancelled.</summary>
    public const int RunFailed = 1;
    const string TokenVariable = "MRC_TOKEN";

    public static Command Submit(CliConsole console)
    {
        var server = ServerOption();
        var token = TokenOption();
        var set = new Option<string>("--set") { Description = "Evaluation set name.", Required = true };
        var predictions = new Option<FileInfo?>("--predictions") { Description = "Predictions file {\"question id\": \"answer\"} to score directly." };
        var label = new Option<string?>("--label") { Description = "Model label shown for a predictions file." };
        var model = new Option<string?>("--model") { Description = "Reader model to run on the server (see Reader.ListModels)." };
        var version = new Option<string?>("--version") { Description = "Model version; omitted or \"latest\" runs the highest." };
        var topK = new Option<int>("--top-k") { Description = "Passages retrieved per question (0: server default)." };
        var k1 = new Option<float?>("--k1") { Description = "BM25 k1 (0..3); omitted uses the retriever's default." };
        var b = new Option<float?>("--b") { Description = "BM25 b (0..1); omitted uses the retriever's default." };
        var readMode = new Option<string>("--read-mode") { Description = "separate or concat.", DefaultValueFactory = _ => "separate" };
        readMode.AcceptOnlyFromAmong("separate", "concat");
        var weight = new Option<float>("--retriever-weight") { Description = "Weight of the retriever score fused into answer scores." };
        var description = new Option<string?>("--description") { Description = "What changed in this submission (shown on the leaderboard)." };
        var wait = new Option<bool>("--wait") { Description = "Watch progress until the submission finishes." };

        var command = new Command("submit", "Submit predictions or a model run to the leaderboard.")
        {
            server, token, set, predictions, label, model, version, topK, k1, b, readMode, weight, description, wait,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.Guard(console, async () =>
        {
            var file = parse.GetValue(predictions);
            var modelName = parse.GetValue(model);
            if ((file is null) == (modelName is null))
                throw new ArgumentException("Give exactly one of --predictions FILE or --model NAME.");

            var request = new SubmitRequest { EvaluationSet = parse.GetValue(set)!, Description = parse.GetValue(description) ?? "" };
            if (file is not null)
            {
                request.Predictions = new PredictionsFile
                {
                    Json = ByteString.CopyFrom(await File.ReadAllBytesAsync(file.FullName, cancellationToken)),
                    ModelLabel = parse.GetValue(label) ?? Path.GetFileNameWithoutExtension(file.Name),
                };
            }
            else
            {
                var run = new ModelRun
                {
                    Model = modelName!,
                    Version = parse.GetValue(version) ?? "",
                    TopK = parse.GetValue(topK),
                    ReadMode = parse.GetValue(readMode) == "concat" ? ReadMode.Concat : ReadMode.Separate,
                    RetrieverWeight = parse.GetValue(weight),
                };
                if (parse.GetValue(k1) is { } k1Value) run.K1 = k1Value;
                if (parse.GetValue(b) is { } bValue) run.B = bValue;
                request.ModelRun = run;
            }

            return await SendAsync(console, parse.GetValue(server)!, parse.GetValue(token), request, parse.GetValue(wait), cancellationToken);
        }));
        return command;
    }

    /// <summary>
    /// Sends a submission, optionally watches it to the end, and prints it: what `mrc submit` and
    /// `mrc sweep --submit` do. 0 when it was accepted (and, when watched, succeeded), else <see cref="RunFailed"/>.
    /// </summary>
    public static async Task<int> SendAsync(CliConsole console, string server, string? token, SubmitRequest request, bool wait,
        CancellationToken cancellationToken)
    {
        using var channel = Channel(server, ResolveToken(token));
        var client = new LeaderboardClient(channel);
        var submission = await client.SubmitAsync(request, deadline: DateTime.UtcNow.AddMinutes(5), cancellationToken: cancellationToken);
        await console.Error.WriteLineAsync(
            $"submission {submission.Id}: {State(submission.State)} ({submission.Model} {submission.Version})".TrimEnd());

        if (wait && !IsFinal(submission.State))
        {
            using var watch = client.WatchSubmission(new WatchSubmissionRequest { SubmissionId = submission.Id }, cancellationToken: cancellationToken);
            await foreach (var progress in watch.ResponseStream.ReadAllAsync(cancellationToken))
            {
                var soFar = progress.PublicScoresSoFar is { } s
                    ? string.Create(CultureInfo.InvariantCulture, $", public EM {s.ExactMatch:F2} F1 {s.F1:F2} so far")
                    : "";
                await console.Error.WriteLineAsync($"{State(progress.State)} {progress.Completed}/{progress.Total}{soFar}");
            }
            submission = await client.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = submission.Id },
                deadline: DateTime.UtcNow.AddMinutes(1), cancellationToken: cancellationToken);
        }

        await console.Out.WriteLineAsync(Formatter.Format(submission));
        if (submission.State == SubmissionState.Failed) await console.Error.WriteLineAsync($"error: {submission.Error}");
        return submission.State is SubmissionState.Failed or SubmissionState.Cancelled ? RunFailed : 0;
    }

    public static Command Leaderboard(CliConsole console)
    {
        var server = ServerOption();
        var token = TokenOption();
        var set = new Option<string>("--set") { Description = "Evaluation set name.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the leaderboard as JSON (the API's message)." };
        var command = new Command("leaderboard", "Show the leaderboard of an evaluation set.") { server, token, set, json };
        command.SetAction((parse, cancellationToken) => CommandErrors.Guard(console, async () =>
        {
            using var channel = Channel(parse.GetValue(server)!, ResolveToken(parse.GetValue(token)));
            var client = new LeaderboardClient(channel);
            var board = await client.GetLeaderboardAsync(new GetLeaderboardRequest { EvaluationSet = parse.GetValue(set)! },
                deadline: DateTime.UtcNow.AddMinutes(1), cancellationToken: cancellationToken);
            if (parse.GetValue(json))
            {
                await console.Out.WriteLineAsync(Formatter.Format(board));
                return 0;
            }
            bool showPrivate = board.Entries.Any(e => e.BestSubmission.PrivateScores is not null);
            await console.Out.WriteLineAsync(showPrivate
                ? "rank\tteam\tmodel\tversion\tpublic_em\tpublic_f1\tprivate_em\tprivate_f1\trecall\tsubmissions\tsubmitted\tdescription"
                : "rank\tteam\tmodel\tversion\tpublic_em\tpublic_f1\trecall\tsubmissions\tsubmitted\tdescription");
            // Baselines come first, with "baseline" for a rank.
            foreach (var entry in board.Baselines.Concat(board.Entries))
            {
                var best = entry.BestSubmission;
                var rank = best.Baseline ? "baseline" : entry.Rank.ToString(CultureInfo.InvariantCulture);
                var columns = new List<string> { rank, entry.Team, entry.Model, entry.Version };
                columns.AddRange(Scores(best.PublicScores));
                if (showPrivate) columns.AddRange(Scores(best.PrivateScores));
                columns.Add(best.HasRetrievalRecall ? best.RetrievalRecall.ToString("F4", CultureInfo.InvariantCulture) : "");
                columns.Add(entry.SubmissionCount.ToString(CultureInfo.InvariantCulture));
                columns.Add(best.SubmittedAt?.ToDateTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "");
                columns.Add(best.Description.ReplaceLineEndings(" "));
                await console.Out.WriteLineAsync(string.Join('\t', columns));
            }
            return 0;
        }));
        return command;
    }

    /// <summary>`mrc final`: shows the team's final submissions of a set, or marks the given ids final.</summary>
    public static Command Final(CliConsole console)
    {
        var server = ServerOption();
        var token = TokenOption();
        var set = new Option<string>("--set") { Description = "Evaluation set name.", Required = true };
        var clear = new Option<bool>("--clear") { Description = "Unmark every final submission: the best public ones count again." };
        var ids = new Argument<long[]>("submission-ids")
        {
            Description = "Submissions to mark final (replacing the current choice); none: show the current ones.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("final", "Show or choose the submissions that count for the private ranking.") { server, token, set, clear, ids };
        command.SetAction((parse, cancellationToken) => CommandErrors.Guard(console, async () =>
        {
            var chosen = parse.GetValue(ids) ?? [];
            bool unmark = parse.GetValue(clear);
            if (unmark && chosen.Length > 0) throw new ArgumentException("Give submission ids or --clear, not both.");
            using var channel = Channel(parse.GetValue(server)!, ResolveToken(parse.GetValue(token)));
            var client = new LeaderboardClient(channel);
            var deadline = DateTime.UtcNow.AddMinutes(1);
            var finals = chosen.Length == 0 && !unmark
                ? await client.GetFinalSubmissionsAsync(new GetFinalSubmissionsRequest { EvaluationSet = parse.GetValue(set)! },
                    deadline: deadline, cancellationToken: cancellationToken)
                : await client.SetFinalSubmissionsAsync(new SetFinalSubmissionsRequest { EvaluationSet = parse.GetValue(set)!, SubmissionIds = { chosen } },
                    deadline: deadline, cancellationToken: cancellationToken);
            await console.Error.WriteLineAsync(finals.Chosen
                ? $"final (chosen, at most {finals.Limit}): {string.Join(", ", finals.FinalSubmissionIds)}"
                : $"final (best public, none chosen; at most {finals.Limit}): {string.Join(", ", finals.FinalSubmissionIds)}");
            await console.Out.WriteLineAsync(Formatter.Format(finals));
            return 0;
        }));
        return command;
    }

    internal static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    internal static Option<string> ServerOption() => new("--server")
    {
        Description = "The leaderboard's gRPC address, e.g. http://localhost:5081.",
        Required = true,
    };

    internal static Option<string?> TokenOption() => new("--token") { Description = $"Team API token (default: ${TokenVariable})." };

    internal static string ResolveToken(string? token) =>
        !string.IsNullOrWhiteSpace(token) ? token
        : Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : throw new ArgumentException($"An API token is needed: --token or ${TokenVariable}.");

    internal static GrpcChannel Channel(string server, string token)
    {
        if (!Uri.TryCreate(server, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            throw new ArgumentException($"--server must be an http:// or https:// address, not \"{server}\".");
        var credentials = CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", $"Bearer {token}");
            return Task.CompletedTask;
        });
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(address.Scheme == "https" ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure, credentials),
            UnsafeUseInsecureChannelCallCredentials = address.Scheme == "http",
            MaxSendMessageSize = null,
        });
    }

    static IEnumerable<string> Scores(Scores? scores) => scores is null
        ? ["", ""]
        : [scores.ExactMatch.ToString("F2", CultureInfo.InvariantCulture), scores.F1.ToString("F2", CultureInfo.InvariantCulture)];

    static bool IsFinal(SubmissionState state) =>
        state is SubmissionState.Succeeded or SubmissionState.Failed or SubmissionState.Cancelled;

    static string State(SubmissionState state) => state switch
    {
        SubmissionState.Queued => "queued",
        SubmissionState.Running => "running",
        SubmissionState.Succeeded => "succeeded",
        SubmissionState.Failed => "failed",
        SubmissionState.Cancelled => "cancelled",
        _ => "unknown",
    };
}
