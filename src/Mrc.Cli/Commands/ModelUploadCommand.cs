using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Mrc.Contracts.V1;
using LeaderboardClient = Mrc.Contracts.V1.Leaderboard.LeaderboardClient;

namespace Mrc.Cli.Commands;

/// <summary>
/// `mrc model upload`: sends a Hugging Face model folder to the leaderboard (mrc.v1.Leaderboard's
/// BeginModelUpload, UploadModelChunks, CommitModelUpload), which passes it to the reader. A dropped
/// stream is resumed from the upload's status (what the reader has received of each file), a few times
/// with growing waits; `--resume ID` continues an upload an earlier run left open.
/// </summary>
internal static class ModelUploadCommand
{
    const int MaxAttempts = 6;

    public static Command Create(CliConsole console)
    {
        var upload = Upload(console);
        return new Command("model", "Your team's own reader models on the leaderboard.") { upload };
    }

    static Command Upload(CliConsole console)
    {
        var server = LeaderboardCommands.ServerOption();
        var token = LeaderboardCommands.TokenOption();
        var folder = new Option<DirectoryInfo>("--folder") { Description = "The model folder (config.json, weights, tokenizer files).", Required = true };
        var name = new Option<string>("--name") { Description = "The model's name within your team (letters, digits, '.', '_', '-').", Required = true };
        var resume = new Option<string?>("--resume") { Description = "Continue the open upload with this id (printed when it began)." };
        var chunkMiB = new Option<double>("--chunk-mib") { Description = "Chunk size in MiB (at most 4).", DefaultValueFactory = _ => 1 };
        var command = new Command("upload", "Upload a model folder; it becomes the version <team>/<name>/<n> once the reader has loaded it and it has answered a probe question.")
        {
            server, token, folder, name, resume, chunkMiB,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.Guard(console, async () =>
        {
            var directory = parse.GetValue(folder)!;
            if (!directory.Exists) throw new DirectoryNotFoundException($"folder not found: {directory.FullName}");
            if (directory.EnumerateDirectories().Any())
                throw new ArgumentException($"{directory.FullName} has sub-folders; a model folder holds only files.");
            double mib = parse.GetValue(chunkMiB);
            if (mib is <= 0 or > 4) throw new ArgumentException("--chunk-mib must be above 0 and at most 4.");
            int chunkBytes = (int)Math.Min(4 * 1024 * 1024 - 64 * 1024, mib * 1024 * 1024);

            using var channel = LeaderboardCommands.Channel(parse.GetValue(server)!, LeaderboardCommands.ResolveToken(parse.GetValue(token)));
            var client = new LeaderboardClient(channel);
            var files = directory.EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal).ToList();

            ModelUploadStatus status;
            if (parse.GetValue(resume) is { Length: > 0 } id)
            {
                status = await client.GetModelUploadAsync(new TeamModelUploadRequest { UploadId = id }, deadline: Deadline(1), cancellationToken: cancellationToken);
            }
            else
            {
                var begin = new BeginTeamModelUploadRequest { Model = parse.GetValue(name)! };
                await console.Error.WriteLineAsync($"hashing {files.Count} files ({files.Sum(f => f.Length):N0} bytes)");
                foreach (var file in files) begin.Files.Add(await DescribeAsync(file, cancellationToken));
                status = await client.BeginModelUploadAsync(begin, deadline: Deadline(1), cancellationToken: cancellationToken);
                await console.Error.WriteLineAsync($"upload {status.UploadId} begun (resume with --resume {status.UploadId})");
            }

            status = await SendWithResumeAsync(console, client, directory, status, chunkBytes, cancellationToken);
            await console.Error.WriteLineAsync("all bytes sent; the reader checks, loads and probes the model");
            var published = await client.CommitModelUploadAsync(new TeamModelUploadRequest { UploadId = status.UploadId },
                deadline: Deadline(15), cancellationToken: cancellationToken);
            await console.Error.WriteLineAsync($"published {published.Model} version {published.Version} ({published.Architecture}, " +
                $"{published.Parameters:N0} parameters; probe answer \"{published.ProbeAnswer}\")");
            await console.Out.WriteLineAsync(LeaderboardCommands.Formatter.Format(published));
            return 0;
        }));
        return command;
    }

    static DateTime Deadline(int minutes) => DateTime.UtcNow.AddMinutes(minutes);

    static async Task<ModelUploadFile> DescribeAsync(FileInfo file, CancellationToken cancellationToken)
    {
        await using var stream = file.OpenRead();
        return new ModelUploadFile
        {
            Name = file.Name,
            Size = file.Length,
            Sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken)),
        };
    }

    /// <summary>Streams what the server lacks; when the stream drops, asks where it stands and goes on from there.</summary>
    static async Task<ModelUploadStatus> SendWithResumeAsync(CliConsole console, LeaderboardClient client, DirectoryInfo directory,
        ModelUploadStatus status, int chunkBytes, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                if (status.ReceivedBytes == status.TotalBytes) return status;
                return await SendAsync(console, client, directory, status, chunkBytes, cancellationToken);
            }
            catch (RpcException e) when (attempt < MaxAttempts && e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.DeadlineExceeded)
            {
                var wait = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, attempt - 1)));
                await console.Error.WriteLineAsync($"the connection dropped ({e.StatusCode}: {e.Status.Detail}); resuming in {wait.TotalSeconds:0} s");
                await Task.Delay(wait, cancellationToken);
                status = await client.GetModelUploadAsync(new TeamModelUploadRequest { UploadId = status.UploadId }, deadline: Deadline(1), cancellationToken: cancellationToken);
            }
        }
    }

    static async Task<ModelUploadStatus> SendAsync(CliConsole console, LeaderboardClient client, DirectoryInfo directory,
        ModelUploadStatus status, int chunkBytes, CancellationToken cancellationToken)
    {
        using var call = client.UploadModelChunks(cancellationToken: cancellationToken);
        long sent = status.ReceivedBytes;
        int lastPercent = -1;
        var buffer = new byte[chunkBytes];
        foreach (var file in status.Files.Where(f => f.Received < f.Size))
        {
            await using var stream = File.OpenRead(Path.Combine(directory.FullName, file.Name));
            stream.Position = file.Received;
            for (long offset = file.Received; offset < file.Size;)
            {
                int read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(chunkBytes, file.Size - offset)), cancellationToken);
                if (read == 0) throw new IOException($"{file.Name} is shorter than when the upload began; begin again.");
                await call.RequestStream.WriteAsync(new TeamModelChunk
                {
                    UploadId = status.UploadId, File = file.Name, Offset = offset, Data = ByteString.CopyFrom(buffer, 0, read),
                }, cancellationToken);
                offset += read;
                sent += read;
                int percent = (int)(100 * sent / Math.Max(1, status.TotalBytes));
                if (percent / 10 != lastPercent / 10)
                {
                    lastPercent = percent;
                    await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"sent {sent:N0} / {status.TotalBytes:N0} bytes ({percent}%)"));
                }
            }
        }
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }
}
