namespace SecureGateway.Storage;

/// <summary>The data directory's layout: <c>cache/</c> (admitted, served), <c>quarantine/</c> (held for review, never served), <c>tmp/</c> (staging).</summary>
public sealed class GatewayStorage(string dataDirectory)
{
    public ArtefactStore Cache { get; } = new(Path.Combine(dataDirectory, "cache"));

    public ArtefactStore Quarantine { get; } = new(Path.Combine(dataDirectory, "quarantine"));

    public StagingArea Staging { get; } = new(Path.Combine(dataDirectory, "tmp"));
}
