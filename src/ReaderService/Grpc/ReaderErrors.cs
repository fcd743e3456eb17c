using Grpc.Core;
using Mrc.Core.Pipeline;
using Mrc.Reading.Inference;
using Mrc.Reading.Models;
using Mrc.Reading.Uploads;
using MrcGrpc.ServiceDefaults.Grpc;

namespace Mrc.Reader.Grpc;

/// <summary>The reader's expected failures and the status that tells the client what to do.</summary>
public sealed class ReaderErrors : IRpcErrorMap
{
    public Status? Map(Exception exception) => exception switch
    {
        // The request named a model or version the repository does not have.
        ModelNotFoundException => new Status(StatusCode.NotFound, exception.Message),
        // The load failed for a reason that may pass (memory, I/O): it is tried again shortly.
        ModelLoadException { Transient: true } => new Status(StatusCode.Unavailable, exception.Message),
        // The version is there but cannot be loaded (the reason says what is wrong with its folder).
        ModelLoadException => new Status(StatusCode.FailedPrecondition, exception.Message),
        // The batching queue is full: retry later or send less at once.
        ReaderBusyException => new Status(StatusCode.ResourceExhausted, exception.Message),
        // Model uploads: each refusal says what to change.
        ModelUploadException upload => new Status(upload.Error switch
        {
            UploadError.Invalid => StatusCode.InvalidArgument,
            UploadError.TooLarge => StatusCode.ResourceExhausted,
            UploadError.NotFound => StatusCode.NotFound,
            UploadError.OtherTeam => StatusCode.PermissionDenied,
            _ => StatusCode.FailedPrecondition,
        }, exception.Message),
        // options out of range (ReadSettings checks itself).
        InvalidReadSettingsException => new Status(StatusCode.InvalidArgument, exception.Message),
        _ => null,
    };
}
