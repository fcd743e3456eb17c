using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Mrc.Leaderboard.Domain;

/// <summary>
/// The public/private split: a question is private when the first 8 bytes of a hash of its id, read
/// as a big-endian unsigned integer, modulo 10,000 fall below privateShare × 10,000. The hash is
/// HMAC-SHA256 keyed with the set's secret salt, drawn at registration, so nobody can compute the
/// split from the ids and two sets with the same ids get different splits. An empty salt is the rule
/// of sets registered before salts existed: SHA-256 of the id alone, which keeps their split as it was.
/// </summary>
public static class PublicPrivateSplit
{
    public const int Buckets = 10_000;

    /// <summary>A new set's secret salt: 32 random bytes as lowercase hex.</summary>
    public static string NewSalt() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static int Bucket(string questionId, string salt = "")
    {
        ArgumentNullException.ThrowIfNull(questionId);
        ArgumentNullException.ThrowIfNull(salt);
        Span<byte> hash = stackalloc byte[32];
        var id = Encoding.UTF8.GetBytes(questionId);
        if (salt.Length == 0) SHA256.HashData(id, hash);
        else HMACSHA256.HashData(Encoding.UTF8.GetBytes(salt), id, hash);
        return (int)(BinaryPrimitives.ReadUInt64BigEndian(hash) % Buckets);
    }

    public static bool IsPrivate(string questionId, double privateShare, string salt = "")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(privateShare, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(privateShare, 1.0);
        return Bucket(questionId, salt) < (int)Math.Round(privateShare * Buckets);
    }
}
