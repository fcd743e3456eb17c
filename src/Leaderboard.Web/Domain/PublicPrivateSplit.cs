using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Mrc.Leaderboard.Domain;

/// <summary>
/// The public/private split: a question is private when the first 8 bytes of SHA-256(UTF-8 id),
/// read as a big-endian unsigned integer, modulo 10,000 fall below privateShare × 10,000.
/// It depends on nothing but the id, so it is the same on every server and every upload.
/// </summary>
public static class PublicPrivateSplit
{
    public const int Buckets = 10_000;

    public static int Bucket(string questionId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(questionId), hash);
        return (int)(BinaryPrimitives.ReadUInt64BigEndian(hash) % Buckets);
    }

    public static bool IsPrivate(string questionId, double privateShare)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(privateShare, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(privateShare, 1.0);
        return Bucket(questionId) < (int)Math.Round(privateShare * Buckets);
    }
}
