using SecureGateway.Modules;

namespace SecureGateway.Storage;

/// <summary>The areas of an artefact store: what the current decisions keep apart.</summary>
public enum StoreArea
{
    /// <summary>Admitted versions, served while their current decision admits them.</summary>
    Cache,

    /// <summary>Versions held for review; never served.</summary>
    Quarantine,

    /// <summary>Versions a later decision took out of service (revoked, denied, re-evaluated), kept as evidence; never served.</summary>
    Held,
}

/// <summary>
/// Where verified module versions are kept, each as its <c>.info</c>, <c>.mod</c> and <c>.zip</c> together: a local
/// folder (<see cref="FolderArtefactStore"/>) or S3-compatible object storage (<see cref="S3ArtefactStore"/>). A
/// version is saved from a <see cref="StagedModule"/> (fetched and verified on local disk) and appears whole or not
/// at all. What a store holds is storage, never authority: a version is served only while its current decision, in
/// PostgreSQL, admits it, and the index of versions lives there too, never in a listing of the store.
/// </summary>
public interface IArtefactStore
{
    /// <summary>Where the store is, for logs and <c>/readyz</c> (no credentials).</summary>
    string Location { get; }

    /// <summary>The version is in <paramref name="area"/>, complete.</summary>
    ValueTask<bool> ContainsAsync(StoreArea area, ModuleVersion version, CancellationToken cancellationToken);

    /// <summary>
    /// Puts the staged version into <paramref name="area"/>, replacing what was there (the staged files were verified
    /// just now; an older copy may be of an earlier decision). The staged files are consumed.
    /// </summary>
    Task SaveAsync(StoreArea area, ModuleVersion version, StagedModule staged, CancellationToken cancellationToken);

    /// <summary>One artefact of the version, to read once; null when the version is not in <paramref name="area"/>.</summary>
    Task<StoredArtefact?> OpenAsync(StoreArea area, ModuleVersion version, ArtefactKind kind, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the version from <paramref name="source"/> to <paramref name="target"/>; false when it is not in <paramref name="source"/>.
    /// When <paramref name="target"/> already holds it, that copy is kept and this one removed: processes sharing a store may
    /// race to move the same version, and a move never deletes what another has just moved into place.
    /// </summary>
    Task<bool> MoveAsync(ModuleVersion version, StoreArea source, StoreArea target, CancellationToken cancellationToken);

    /// <summary>Removes the version from <paramref name="area"/>; false when it was not there.</summary>
    Task<bool> DeleteAsync(StoreArea area, ModuleVersion version, CancellationToken cancellationToken);

    /// <summary>The versions of <paramref name="modulePath"/> in <paramref name="area"/>, unordered (maintenance and tests; serving asks PostgreSQL).</summary>
    Task<IReadOnlyList<string>> VersionsAsync(StoreArea area, string modulePath, CancellationToken cancellationToken);

    /// <summary>Every version in <paramref name="area"/> (the repair at start compares them with the decisions).</summary>
    IAsyncEnumerable<ModuleVersion> AllAsync(StoreArea area, CancellationToken cancellationToken);

    /// <summary>Writes and removes a probe: null when the store takes writes, else why not (for <c>/readyz</c>).</summary>
    Task<string?> ProbeAsync(CancellationToken cancellationToken);

    /// <summary>Removes what interrupted writes and deletes left behind, invisible to readers; returns what was removed.</summary>
    Task<IReadOnlyList<string>> RemoveLeftoversAsync(CancellationToken cancellationToken);
}

/// <summary>An artefact being read from a store: its bytes, once, and their length. Disposing closes it.</summary>
public sealed class StoredArtefact(Stream content, long length) : IAsyncDisposable
{
    /// <summary>Seekable when the store is a local folder (ranges are then served from it); a network stream otherwise.</summary>
    public Stream Content { get; } = content;

    public long Length { get; } = length;

    public ValueTask DisposeAsync() => Content.DisposeAsync();
}

public static class ArtefactStores
{
    /// <summary>The area's name in folder names, object keys and placement reports: <c>cache</c>, <c>quarantine</c>, <c>held</c>.</summary>
    public static string Name(this StoreArea area) => area switch
    {
        StoreArea.Cache => "cache",
        StoreArea.Quarantine => "quarantine",
        _ => "held",
    };

    /// <summary>The store could not be read or written: the disk, or the object store's service or network.</summary>
    public static bool IsFailure(Exception e) =>
        e is IOException or UnauthorizedAccessException or Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException;
}
