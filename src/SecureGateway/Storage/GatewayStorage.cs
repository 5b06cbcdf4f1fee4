namespace SecureGateway.Storage;

/// <summary><c>Gateway:Store</c>: where admitted, quarantined and held versions are kept.</summary>
public sealed record StoreOptions
{
    /// <summary><c>folder</c> (under <c>Gateway:DataDir</c>) or <c>s3</c> (<see cref="S3"/>).</summary>
    public string Kind { get; init; } = "folder";

    public S3StoreOptions S3 { get; init; } = new();
}

/// <summary>
/// The gateway's storage: the artefact store (<see cref="Store"/>: a folder under the data directory, or S3) and the
/// staging area, always on local disk under <c>{DataDir}/tmp</c>, where fetches land and are verified (a zip is read
/// at random places) before the store takes them.
/// </summary>
public sealed class GatewayStorage : IDisposable
{
    public GatewayStorage(IArtefactStore store, string dataDirectory)
    {
        Store = store;
        Staging = new StagingArea(Path.Combine(dataDirectory, "tmp"));
    }

    /// <summary>The default store: folders under the data directory, as one or several gateways on one machine share them.</summary>
    public GatewayStorage(string dataDirectory)
        : this(new FolderArtefactStore(dataDirectory), dataDirectory)
    {
    }

    public IArtefactStore Store { get; }

    public StagingArea Staging { get; }

    /// <summary>The store <paramref name="options"/> configure.</summary>
    /// <exception cref="InvalidOperationException">An unknown kind, or S3 without an endpoint or bucket.</exception>
    public static IArtefactStore CreateStore(StoreOptions options, string dataDirectory, TimeProvider time) => options.Kind.ToLowerInvariant() switch
    {
        "folder" => new FolderArtefactStore(dataDirectory),
        "s3" => new S3ArtefactStore(options.S3, time),
        _ => throw new InvalidOperationException($"Gateway:Store:Kind \"{options.Kind}\": use folder or s3"),
    };

    public void Dispose()
    {
        Staging.Dispose();
        (Store as IDisposable)?.Dispose();
    }
}
