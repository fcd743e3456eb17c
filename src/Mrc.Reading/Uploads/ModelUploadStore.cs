using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Mrc.Core.Pipeline;
using Mrc.Reading.Inference;
using Mrc.Reading.Models;

namespace Mrc.Reading.Uploads;

/// <summary>Limits of <see cref="ModelUploadStore"/> (ReaderService fills them from Reader:Uploads).</summary>
/// <param name="MaxBytes">Largest folder, all files together.</param>
/// <param name="MaxFiles">Most files in one folder.</param>
/// <param name="MaxOpenUploads">Uploads begun and not yet committed, aborted or expired, at most.</param>
/// <param name="Expiry">How long an upload not committed is kept.</param>
public sealed record ModelUploadLimits(long MaxBytes, int MaxFiles, int MaxOpenUploads, TimeSpan Expiry);

/// <summary>One file of a folder as the uploader declares it.</summary>
public sealed record UploadFile(string Name, long Size, string Sha256);

/// <summary>Where an upload stands: each file with the bytes received so far.</summary>
public sealed record UploadProgress(string Id, string Team, string Model, IReadOnlyList<(UploadFile File, long Received)> Files, DateTime ExpiresAt)
{
    public long TotalBytes => Files.Sum(f => f.File.Size);
    public long ReceivedBytes => Files.Sum(f => f.Received);
}

/// <summary>A published version and what the probe showed.</summary>
public sealed record PublishedModel(string Name, string Version, string ProbeAnswer, long Parameters, string Architecture);

/// <summary>
/// Team model uploads into the model repository. An upload lives in a staging folder inside the
/// repository (<c>.uploads/&lt;id&gt;/</c>: <c>upload.json</c> with the declared files, <c>files/</c> with
/// what arrived), so that publishing is one rename on the same file system, and so that an upload
/// survives a restart of the service: the bytes received of a file are its length on disk. A version
/// is published only after every file is complete with its declared SHA-256, the folder loads as the
/// reader loads versions, and it answers a probe question; any other outcome deletes the staging
/// folder, so nothing half-written stays behind.
/// </summary>
public sealed partial class ModelUploadStore : IDisposable
{
    /// <summary>The probe: a question any extractive reader must give some span of the context for.</summary>
    public const string ProbeQuestion = "대한민국의 수도는 어디인가?";
    public const string ProbeContext = "대한민국의 수도는 서울이다. 서울은 한강을 끼고 있다.";

    /// <summary>Largest chunk of one Upload message (gRPC's default message limit is 4 MiB with framing).</summary>
    public const int MaxChunkBytes = 4 * 1024 * 1024 - 64 * 1024;

    const string ManifestFile = "upload.json";
    const string FilesFolder = "files";

    readonly ModelManager models;
    readonly ModelUploadLimits limits;
    readonly TimeProvider clock;
    readonly ILogger<ModelUploadStore> logger;
    readonly ConcurrentDictionary<string, SemaphoreSlim> uploadLocks = new(StringComparer.Ordinal);
    readonly SemaphoreSlim beginGate = new(1, 1);
    readonly SemaphoreSlim publishGate = new(1, 1);

    public ModelUploadStore(ModelManager models, ModelUploadLimits limits, TimeProvider clock, ILogger<ModelUploadStore> logger)
    {
        ArgumentNullException.ThrowIfNull(models);
        this.models = models;
        this.limits = limits;
        this.clock = clock;
        this.logger = logger;
        StagingRoot = Path.Combine(models.Repository.Root, ".uploads");
    }

    /// <summary>Where uploads wait for their commit; inside the repository, never listed as a model.</summary>
    public string StagingRoot { get; }

    sealed record Manifest(string Id, string Team, string Model, List<UploadFile> Files, DateTime CreatedAt);

    DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>Checks the names, the file list and the limits, then opens an upload (nothing is written for a refused one).</summary>
    public async Task<UploadProgress> BeginAsync(string team, string model, IReadOnlyList<UploadFile> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        Check(UploadNames.ProblemWithName("team", team));
        Check(UploadNames.ProblemWithName("model", model));
        if (files.Count == 0) throw Invalid("the upload declares no files.");
        foreach (var file in files)
        {
            Check(UploadNames.ProblemWithFile(file.Name));
            if (file.Size < 0) throw Invalid($"file '{file.Name}' has a negative size.");
            if (file.Sha256.Length != 64 || !file.Sha256.All(char.IsAsciiHexDigit))
                throw Invalid($"file '{file.Name}': sha256 must be 64 hex digits.");
        }
        var twice = files.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw Invalid($"file '{twice.Key}' is declared twice.");
        if (!files.Any(f => f.Name == "config.json")) throw Invalid("a model folder needs a config.json.");
        if (files.Count > limits.MaxFiles)
            throw new ModelUploadException(UploadError.TooLarge, $"{files.Count} files; the limit is {limits.MaxFiles}.");
        long total = files.Sum(f => f.Size);
        if (total > limits.MaxBytes)
            throw new ModelUploadException(UploadError.TooLarge, $"the files hold {total:N0} bytes together; the limit is {limits.MaxBytes:N0}.");
        if (models.Repository.IsSharedModel(team))
            throw new ModelUploadException(UploadError.Refused, $"'{team}' is the name of a shared model of the repository; it cannot be a team's folder.");

        RemoveExpired();
        await beginGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int open = Directory.Exists(StagingRoot) ? Directory.GetDirectories(StagingRoot).Length : 0;
            if (open >= limits.MaxOpenUploads)
                throw new ModelUploadException(UploadError.TooLarge, $"{open} uploads are open; the limit is {limits.MaxOpenUploads}. Commit or abort one, or try again later.");
            var manifest = new Manifest(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), team, model,
                [.. files.Select(f => f with { Sha256 = f.Sha256.ToLowerInvariant() })], Now);
            // Written beside and renamed in, so that a half-made staging folder is never taken for an upload.
            var building = Path.Combine(StagingRoot, manifest.Id + ".new");
            Directory.CreateDirectory(Path.Combine(building, FilesFolder));
            await File.WriteAllBytesAsync(Path.Combine(building, ManifestFile), JsonSerializer.SerializeToUtf8Bytes(manifest), cancellationToken).ConfigureAwait(false);
            Directory.Move(building, Folder(manifest.Id));
            LogBegun(logger, manifest.Id, team, model, files.Count, total);
            return Progress(manifest);
        }
        finally
        {
            beginGate.Release();
        }
    }

    /// <summary>Appends a chunk to a file; <paramref name="offset"/> must be the bytes received so far.</summary>
    public async Task<long> WriteAsync(string id, string team, string file, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (data.Length > MaxChunkBytes) throw Invalid($"a chunk holds {data.Length:N0} bytes; the limit is {MaxChunkBytes:N0}.");
        return await WithUploadAsync(id, team, async manifest =>
        {
            var declared = manifest.Files.FirstOrDefault(f => f.Name == file)
                ?? throw Invalid($"file '{file}' was not declared when the upload began.");
            var path = Path.Combine(Folder(id), FilesFolder, file);
            long received = Received(path);
            if (offset != received)
                throw new ModelUploadException(UploadError.Refused, $"file '{file}': the chunk starts at {offset}, but {received} bytes have been received; continue there.");
            if (offset + data.Length > declared.Size)
                throw Invalid($"file '{file}': the chunk ends at {offset + data.Length}, past its declared size {declared.Size}.");
            await using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None);
            await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            return offset + data.Length;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The bytes received of each file.</summary>
    public Task<UploadProgress> StatusAsync(string id, string team, CancellationToken cancellationToken) =>
        WithUploadAsync(id, team, manifest => Task.FromResult(Progress(manifest)), cancellationToken);

    /// <summary>Drops an open upload and its files.</summary>
    public Task<UploadProgress> AbortAsync(string id, string team, CancellationToken cancellationToken) =>
        WithUploadAsync(id, team, manifest =>
        {
            var progress = Progress(manifest);
            Delete(Folder(id));
            LogAborted(logger, id);
            return Task.FromResult(progress);
        }, cancellationToken);

    /// <summary>
    /// Checks, loads and probes the folder, then publishes it as the next version of
    /// <c>&lt;team&gt;/&lt;model&gt;</c>. A refusal deletes the upload; a load failure that may pass keeps it.
    /// </summary>
    public Task<PublishedModel> CommitAsync(string id, string team, CancellationToken cancellationToken) =>
        WithUploadAsync(id, team, async manifest =>
        {
            var staging = Folder(id);
            var files = Path.Combine(staging, FilesFolder);
            try
            {
                await CheckFilesAsync(manifest, files, cancellationToken).ConfigureAwait(false);
                var (answer, parameters, architecture) = await models.TryFolderAsync(files, $"upload {manifest.Team}/{manifest.Model}",
                    local => ProbeAsync(local, cancellationToken), cancellationToken).ConfigureAwait(false);
                var version = await PublishAsync(manifest, files, cancellationToken).ConfigureAwait(false);
                Delete(staging);
                LogPublished(logger, id, manifest.Team, manifest.Model, version, answer);
                return new PublishedModel($"{manifest.Team}/{manifest.Model}", version, answer, parameters, architecture);
            }
            catch (ModelLoadException e) when (e.Transient)
            {
                throw; // memory or I/O: the files may be fine, so they stay for another Commit
            }
            catch (Exception e) when (e is ModelUploadException or ModelLoadException)
            {
                Delete(staging);
                LogRefused(logger, id, e.Message);
                // The reason names files by their staging path; the uploader knows them by name.
                if (e is ModelLoadException)
                    throw new ModelUploadException(UploadError.Refused, $"the model does not load: {e.Message.Replace(files + Path.DirectorySeparatorChar, "", StringComparison.Ordinal)}", e);
                throw;
            }
        }, cancellationToken);

    /// <summary>Every declared file complete, with its SHA-256, and nothing else in the folder.</summary>
    static async Task CheckFilesAsync(Manifest manifest, string files, CancellationToken cancellationToken)
    {
        foreach (var file in manifest.Files)
        {
            var path = Path.Combine(files, file.Name);
            long received = Received(path);
            if (received != file.Size)
                throw new ModelUploadException(UploadError.Refused, $"file '{file.Name}' is incomplete: {received} of {file.Size} bytes received.");
            if (!File.Exists(path)) File.WriteAllBytes(path, []); // an empty file never gets a chunk
            await using var stream = File.OpenRead(path);
            var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
            if (hash != file.Sha256)
                throw new ModelUploadException(UploadError.Refused, $"file '{file.Name}' has SHA-256 {hash}, not the declared {file.Sha256}.");
        }
    }

    /// <summary>Reads the probe; a model that gives no answer is refused.</summary>
    static async Task<(string Answer, long Parameters, string Architecture)> ProbeAsync(LocalReader local, CancellationToken cancellationToken)
    {
        var answers = await local.Engine.ReadAsync(ProbeQuestion, [new PassageInput("probe", ProbeContext, 0)], new ReadSettings(NBest: 1), cancellationToken)
            .ConfigureAwait(false);
        if (answers.Count == 0 || !float.IsFinite(answers[0].Score))
            throw new ModelUploadException(UploadError.Refused, $"the model loads but gives no answer to the probe question \"{ProbeQuestion}\".");
        return (answers[0].Text, local.Parameters, local.Config.ModelType);
    }

    /// <summary>Moves the checked folder to the next free version number in one rename.</summary>
    async Task<string> PublishAsync(Manifest manifest, string files, CancellationToken cancellationToken)
    {
        await publishGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (models.Repository.IsSharedModel(manifest.Team))
                throw new ModelUploadException(UploadError.Refused, $"'{manifest.Team}' is the name of a shared model of the repository.");
            var modelFolder = Path.Combine(models.Repository.Root, manifest.Team, manifest.Model);
            Directory.CreateDirectory(modelFolder);
            // Replicas sharing the repository may publish the same model at once: a number another one
            // took meanwhile makes the rename fail, and the next number is tried.
            for (int attempt = 1; ; attempt++)
            {
                int next = Directory.EnumerateDirectories(modelFolder)
                    .Select(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
                    .DefaultIfEmpty(0).Max() + 1;
                var version = next.ToString(CultureInfo.InvariantCulture);
                var target = Path.Combine(modelFolder, version);
                try
                {
                    Directory.Move(files, target);
                    return version;
                }
                catch (IOException) when (attempt < 10 && Directory.Exists(target))
                {
                }
            }
        }
        finally
        {
            publishGate.Release();
        }
    }

    /// <summary>
    /// Deletes uploads past their expiry, and staging folders left half-made (no readable upload.json)
    /// by a crash, once they are as old as the expiry.
    /// </summary>
    public int RemoveExpired()
    {
        if (!Directory.Exists(StagingRoot)) return 0;
        int removed = 0;
        foreach (var folder in Directory.EnumerateDirectories(StagingRoot))
        {
            var manifest = TryRead(folder);
            var since = manifest?.CreatedAt ?? Directory.GetLastWriteTimeUtc(folder);
            if (Now - since < limits.Expiry) continue;
            var id = Path.GetFileName(folder);
            var gate = uploadLocks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
            if (!gate.Wait(0)) continue; // in use right now
            try
            {
                Delete(folder);
                removed++;
                LogExpired(logger, id);
            }
            finally
            {
                gate.Release();
            }
        }
        return removed;
    }

    async Task<T> WithUploadAsync<T>(string id, string team, Func<Manifest, Task<T>> action, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(id) || id.Length != 32 || !id.All(char.IsAsciiHexDigitLower))
            throw new ModelUploadException(UploadError.NotFound, $"no open upload '{id}'.");
        var gate = uploadLocks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var manifest = TryRead(Folder(id))
                ?? throw new ModelUploadException(UploadError.NotFound, $"no open upload '{id}' (never begun, already committed or aborted, refused, or expired).");
            if (manifest.Team != team) throw new ModelUploadException(UploadError.OtherTeam, $"upload '{id}' belongs to another team.");
            if (Now - manifest.CreatedAt >= limits.Expiry)
            {
                Delete(Folder(id));
                throw new ModelUploadException(UploadError.NotFound, $"upload '{id}' has expired; begin it again.");
            }
            return await action(manifest).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    UploadProgress Progress(Manifest manifest) => new(manifest.Id, manifest.Team, manifest.Model,
        [.. manifest.Files.Select(f => (f, Received(Path.Combine(Folder(manifest.Id), FilesFolder, f.Name))))],
        manifest.CreatedAt + limits.Expiry);

    string Folder(string id) => Path.Combine(StagingRoot, id);

    static long Received(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    static Manifest? TryRead(string folder)
    {
        try
        {
            var path = Path.Combine(folder, ManifestFile);
            return File.Exists(path) ? JsonSerializer.Deserialize<Manifest>(File.ReadAllBytes(path)) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        beginGate.Dispose();
        publishGate.Dispose();
        foreach (var gate in uploadLocks.Values) gate.Dispose();
    }

    static void Delete(string folder)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    static void Check(string? problem)
    {
        if (problem is not null) throw Invalid(problem);
    }

    static ModelUploadException Invalid(string message) => new(UploadError.Invalid, message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Id} begun: {Team}/{Model}, {Files} files, {Bytes} bytes")]
    static partial void LogBegun(ILogger logger, string id, string team, string model, int files, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Id} published as {Team}/{Model} version {Version} (probe answer \"{Answer}\")")]
    static partial void LogPublished(ILogger logger, string id, string team, string model, string version, string answer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {Id} refused and deleted: {Reason}")]
    static partial void LogRefused(ILogger logger, string id, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Id} aborted and deleted")]
    static partial void LogAborted(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Id} expired and deleted")]
    static partial void LogExpired(ILogger logger, string id);
}
