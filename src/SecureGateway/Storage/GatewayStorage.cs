namespace SecureGateway.Storage;

/// <summary>
/// The data directory's layout: <c>cache/</c> (admitted, served while the decision admits), <c>quarantine/</c> (held for
/// review, never served), <c>held/</c> (taken out of service by a later decision: revoked, denied, re-evaluated; kept
/// as evidence, never served), <c>tmp/</c> (staging). Several gateway processes may share one data directory.
/// </summary>
public sealed class GatewayStorage(string dataDirectory) : IDisposable
{
    public ArtefactStore Cache { get; } = new(Path.Combine(dataDirectory, "cache"));

    public ArtefactStore Quarantine { get; } = new(Path.Combine(dataDirectory, "quarantine"));

    public ArtefactStore Held { get; } = new(Path.Combine(dataDirectory, "held"));

    public StagingArea Staging { get; } = new(Path.Combine(dataDirectory, "tmp"));

    public void Dispose() => Staging.Dispose();
}
