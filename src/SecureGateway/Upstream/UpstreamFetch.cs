namespace SecureGateway.Upstream;

public enum UpstreamStatus
{
    /// <summary>The whole body was written to the destination.</summary>
    Ok,

    /// <summary>Upstream answered 404 or 410: the module or version does not exist there.</summary>
    NotFound,

    /// <summary>Upstream failed: a 5xx or unexpected status, a refused connection, a truncated body.</summary>
    Failed,

    /// <summary>Upstream stayed silent for longer than <c>Gateway:UpstreamTimeout</c>.</summary>
    TimedOut,

    /// <summary>The body exceeded the size allowed for this artefact; the fetch stopped there.</summary>
    TooLarge,
}

/// <summary>The outcome of fetching one upstream file; <see cref="Detail"/> says what happened in words for the go user.</summary>
public sealed record UpstreamFetch(UpstreamStatus Status, string Detail, long Length = 0)
{
    public bool IsOk => Status == UpstreamStatus.Ok;
}

/// <summary>The last bytes of an upstream file, and the whole file's length.</summary>
public sealed record UpstreamTail(long Length, byte[] Bytes);
