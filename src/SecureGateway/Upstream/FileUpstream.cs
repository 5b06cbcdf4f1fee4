namespace SecureGateway.Upstream;

/// <summary>
/// A directory in GOPROXY layout (what <c>go mod download</c> leaves in <c>$GOMODCACHE/cache/download</c>),
/// for air-gapped sites. It has no <c>@latest</c>, so the go command falls back to <c>@v/list</c>, as with GOPROXY=file://.
/// </summary>
internal sealed class FileUpstream(string directory) : IUpstream
{
    private readonly string root = Path.GetFullPath(directory) + Path.DirectorySeparatorChar;

    public string BaseUrl { get; } = new Uri(Path.GetFullPath(directory)).AbsoluteUri;

    public async Task<UpstreamFetch> FetchAsync(string relativePath, Stream destination, long maxBytes, CancellationToken cancellationToken)
    {
        if (Locate(relativePath) is not { } file)
        {
            return new(UpstreamStatus.Failed, $"{relativePath} is outside {BaseUrl}");
        }

        if (!File.Exists(file))
        {
            return new(UpstreamStatus.NotFound, $"{relativePath}: not found in {BaseUrl}");
        }

        try
        {
            await using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            if (source.Length > maxBytes)
            {
                return new(UpstreamStatus.TooLarge, $"{relativePath} is {source.Length} bytes; the limit is {maxBytes} bytes");
            }

            await source.CopyToAsync(destination, cancellationToken);
            return new(UpstreamStatus.Ok, relativePath, source.Length);
        }
        catch (IOException e)
        {
            return new(UpstreamStatus.Failed, $"{relativePath}: cannot read from {BaseUrl}: {e.Message}");
        }
    }

    public async Task<UpstreamTail?> FetchTailAsync(string relativePath, int maxBytes, CancellationToken cancellationToken)
    {
        if (Locate(relativePath) is not { } file || !File.Exists(file))
        {
            return null;
        }

        try
        {
            await using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
            var tail = new byte[(int)Math.Min(source.Length, maxBytes)];
            source.Seek(-tail.Length, SeekOrigin.End);
            await source.ReadExactlyAsync(tail, cancellationToken);
            return new(source.Length, tail);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The file <paramref name="relativePath"/> names, or null when it would be outside the directory.</summary>
    private string? Locate(string relativePath)
    {
        var file = Path.GetFullPath(Path.Combine(root, relativePath));
        return file.StartsWith(root, StringComparison.Ordinal) ? file : null;
    }
}
