using System.Buffers;

namespace Mrc.Reading.Uploads;

/// <summary>
/// What an uploaded folder's names may be. Each becomes one path segment under the model repository,
/// so only plain names pass: no separators, no "..", no leading dot (dot folders are the staging area
/// and are never listed), nothing a shell or URL would need to escape.
/// </summary>
public static class UploadNames
{
    public const int MaxLength = 64;

    static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

    /// <summary>A team or model name: 1..64 of letters, digits, '.', '_', '-', starting with a letter or digit.</summary>
    public static string? ProblemWithName(string what, string name)
    {
        if (string.IsNullOrEmpty(name)) return $"{what} name must not be empty.";
        if (name.Length > MaxLength) return $"{what} name '{name[..MaxLength]}…' is longer than {MaxLength} characters.";
        if (!char.IsAsciiLetterOrDigit(name[0]) || name.AsSpan().ContainsAnyExcept(Allowed))
            return $"{what} name '{name}' may hold only letters, digits, '.', '_' and '-', and must start with a letter or digit.";
        return null;
    }

    /// <summary>A file of the folder: the same rule as names, up to 128 characters (shard names are long).</summary>
    public static string? ProblemWithFile(string name)
    {
        if (string.IsNullOrEmpty(name)) return "a file name must not be empty.";
        if (name.Length > 128) return $"file name '{name[..128]}…' is longer than 128 characters.";
        if (!char.IsAsciiLetterOrDigit(name[0]) || name.AsSpan().ContainsAnyExcept(Allowed))
            return $"file '{name}' is not a plain file name (letters, digits, '.', '_', '-'; no folders, no leading dot).";
        return null;
    }
}
