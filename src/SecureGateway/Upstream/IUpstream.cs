namespace SecureGateway.Upstream;

/// <summary>
/// Something read by relative path: a GOPROXY upstream (an HTTP proxy reached through YARP, or a directory for air-gapped
/// sites) or the checksum database.
/// </summary>
public interface IUpstream
{
    /// <summary>The base URL, as recorded with each decision.</summary>
    string BaseUrl { get; }

    /// <summary>
    /// Copies <paramref name="relativePath"/> (already escaped, e.g. <c>example.com/!m/@v/v1.0.0.zip</c>) into
    /// <paramref name="destination"/>, stopping at <paramref name="maxBytes"/>. Never throws for upstream failures.
    /// </summary>
    Task<UpstreamFetch> FetchAsync(string relativePath, Stream destination, long maxBytes, CancellationToken cancellationToken);

    /// <summary>
    /// The last <paramref name="maxBytes"/> bytes of <paramref name="relativePath"/> (an HTTP range request) and the
    /// file's length; null when the upstream cannot tell (no range support, or any failure). Never throws for upstream
    /// failures. What it returns is a claim about the file, to be compared with the file once it arrived.
    /// </summary>
    Task<UpstreamTail?> FetchTailAsync(string relativePath, int maxBytes, CancellationToken cancellationToken);
}
