using System.Security.Cryptography;
using System.Text;

namespace Mrc.Leaderboard.Domain;

/// <summary>API tokens: 32 random bytes, base64url with an "mrc_" prefix; only their SHA-256 is stored.</summary>
public static class Tokens
{
    public static string NewToken() =>
        "mrc_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Constant-time comparison of a presented secret with the configured one.</summary>
    public static bool SecretEquals(string presented, string expected) =>
        expected.Length > 0 && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
