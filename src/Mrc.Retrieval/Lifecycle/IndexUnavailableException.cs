namespace Mrc.Retrieval.Lifecycle;

/// <summary>
/// There is no usable index at the configured path: none was built there yet, or what is there
/// cannot be opened. The message says which, and how to fix it.
/// </summary>
public sealed class IndexUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
