using System.Buffers;
using System.Runtime.InteropServices;

namespace Mrc.Leaderboard.Domain;

/// <summary>
/// Reading uploads under the configured size limit, copying each once at most: a file can be up to
/// Leaderboard:MaxUploadBytes (64 MB), and every extra copy is that much more memory per upload.
/// </summary>
internal static class Uploads
{
    const int ChunkBytes = 1 << 20;

    /// <summary>
    /// The upload's bytes. Bytes already in memory (a gRPC message, <see cref="Over"/>) are used where
    /// they are; a stream of known length is read into one array of that length; a stream of unknown
    /// length (a browser upload) into pooled 1 MB chunks, then once into an array of the total.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>> ReadLimitedAsync(Stream content, long limit, string fileName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content is MemoryStream memory && memory.TryGetBuffer(out var buffer))
        {
            var rest = buffer.AsMemory((int)memory.Position);
            CheckSize(rest.Length, limit, fileName);
            memory.Seek(0, SeekOrigin.End);
            return rest;
        }
        if (content.CanSeek)
        {
            long length = content.Length - content.Position;
            CheckSize(length, limit, fileName);
            var exact = new byte[length];
            await content.ReadExactlyAsync(exact, cancellationToken);
            return exact;
        }
        return await ReadChunkedAsync(content, limit, fileName, cancellationToken);
    }

    static async Task<byte[]> ReadChunkedAsync(Stream content, long limit, string fileName, CancellationToken cancellationToken)
    {
        var chunks = new List<(byte[] Chunk, int Used)>();
        long total = 0;
        try
        {
            while (true)
            {
                var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
                int used = 0, read;
                while (used < chunk.Length && (read = await content.ReadAsync(chunk.AsMemory(used), cancellationToken)) > 0) used += read;
                chunks.Add((chunk, used));
                total += used;
                CheckSize(total, limit, fileName);
                if (used < chunk.Length) break;
            }
            var result = new byte[total];
            int offset = 0;
            foreach (var (chunk, used) in chunks)
            {
                chunk.AsSpan(0, used).CopyTo(result.AsSpan(offset));
                offset += used;
            }
            return result;
        }
        finally
        {
            foreach (var (chunk, _) in chunks) ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    static void CheckSize(long length, long limit, string fileName)
    {
        if (length > limit)
            throw new LeaderboardException(LeaderboardError.InvalidArgument,
                $"{fileName}: the file is larger than the upload limit of {limit:N0} bytes.",
                $"{fileName}: 파일이 업로드 한도 {limit:N0}바이트보다 큽니다.");
    }

    /// <summary>A read-only stream over bytes already in memory (a gRPC message's), without copying them.</summary>
    public static Stream Over(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false, publiclyVisible: true)
            : new MemoryStream(bytes.ToArray(), writable: false);

    /// <summary>Readers that take a path get one, named like the upload so their messages name it too.</summary>
    public static T WithTemporaryFile<T>(string fileName, ReadOnlyMemory<byte> bytes, Func<string, T> read)
    {
        var folder = Directory.CreateTempSubdirectory("leaderboard-upload-");
        try
        {
            var path = Path.Combine(folder.FullName, fileName);
            File.WriteAllBytes(path, bytes.Span);
            try
            {
                return read(path);
            }
            catch (Mrc.Core.Data.DataFormatException e)
            {
                throw new LeaderboardException(LeaderboardError.InvalidArgument, e.Message.Replace(path, fileName, StringComparison.Ordinal));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
