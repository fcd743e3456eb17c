namespace Mrc.Reading.Uploads;

/// <summary>Why an upload call was refused; ReaderService maps each to its gRPC status.</summary>
public enum UploadError
{
    /// <summary>A name, file list or chunk the caller must change (InvalidArgument).</summary>
    Invalid,
    /// <summary>Larger than the limits, or too many uploads open (ResourceExhausted).</summary>
    TooLarge,
    /// <summary>No open upload with that id (NotFound).</summary>
    NotFound,
    /// <summary>The upload belongs to another team (PermissionDenied).</summary>
    OtherTeam,
    /// <summary>The state does not allow it: wrong offset, incomplete file, a folder that does not load (FailedPrecondition).</summary>
    Refused,
}

/// <summary>A refused model-upload call, with a message that says what to change.</summary>
public sealed class ModelUploadException(UploadError error, string message, Exception? inner = null) : Exception(message, inner)
{
    public UploadError Error { get; } = error;
}
