namespace SecureGateway.Storage;

/// <summary>The data directory's layout: <c>cache/</c> (admitted versions) and <c>tmp/</c> (staging).</summary>
public sealed class GatewayStorage(string dataDirectory)
{
    public ArtefactStore Cache { get; } = new(Path.Combine(dataDirectory, "cache"));

    public StagingArea Staging { get; } = new(Path.Combine(dataDirectory, "tmp"));
}
