namespace Mrc.Leaderboard.Domain;

/// <summary>Reading uploads under the configured size limit.</summary>
internal static class Uploads
{
    public static async Task<byte[]> ReadLimitedAsync(Stream content, long limit, string fileName, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
                throw new LeaderboardException(LeaderboardError.InvalidArgument,
                    $"{fileName}: the file is larger than the upload limit of {limit:N0} bytes.");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>Readers that take a path get one, named like the upload so their messages name it too.</summary>
    public static T WithTemporaryFile<T>(string fileName, byte[] bytes, Func<string, T> read)
    {
        var folder = Directory.CreateTempSubdirectory("leaderboard-upload-");
        try
        {
            var path = Path.Combine(folder.FullName, fileName);
            File.WriteAllBytes(path, bytes);
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
