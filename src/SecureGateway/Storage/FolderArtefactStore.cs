using System.Runtime.CompilerServices;
using SecureGateway.Modules;

namespace SecureGateway.Storage;

/// <summary>
/// The store as folders under the data directory: <c>cache/</c>, <c>quarantine/</c> and <c>held/</c>, one directory per
/// version. A version appears by renaming its complete staged directory into place (staging is on the same file
/// system), and moves between areas are renames, so readers see all three files or none. Several gateway processes may
/// share the folder.
/// </summary>
public sealed class FolderArtefactStore : IArtefactStore
{
    private readonly ArtefactFolder[] areas;

    public FolderArtefactStore(string dataDirectory)
    {
        areas = [.. Enum.GetValues<StoreArea>().Select(area => new ArtefactFolder(Path.Combine(dataDirectory, area.Name())))];
        Location = "folder " + Path.GetFullPath(dataDirectory);
    }

    public string Location { get; }

    public ValueTask<bool> ContainsAsync(StoreArea area, ModuleVersion version, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Folder(area).Contains(version));

    public Task SaveAsync(StoreArea area, ModuleVersion version, StagedModule staged, CancellationToken cancellationToken)
    {
        staged.EnsureComplete();
        Folder(area).Commit(staged, version);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A file handle with delete sharing: it survives the version being moved out (by a revocation) while it is sent.
    /// </summary>
    public Task<StoredArtefact?> OpenAsync(StoreArea area, ModuleVersion version, ArtefactKind kind, CancellationToken cancellationToken)
    {
        try
        {
            var file = new FileStream(
                Folder(area).PathOf(version, kind), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Task.FromResult<StoredArtefact?>(new StoredArtefact(file, file.Length));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<StoredArtefact?>(null);
        }
    }

    public Task<bool> MoveAsync(ModuleVersion version, StoreArea source, StoreArea target, CancellationToken cancellationToken) =>
        Task.FromResult(Folder(source).MoveTo(version, Folder(target)));

    public Task<bool> DeleteAsync(StoreArea area, ModuleVersion version, CancellationToken cancellationToken) =>
        Task.FromResult(Folder(area).Remove(version));

    public Task<IReadOnlyList<string>> VersionsAsync(StoreArea area, string modulePath, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. Folder(area).Versions(modulePath)]);

    public async IAsyncEnumerable<ModuleVersion> AllAsync(StoreArea area, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var version in Folder(area).All())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return version;
        }

        await Task.CompletedTask;
    }

    public async Task<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        var probe = Path.Combine(Folder(StoreArea.Cache).Root, $".ready-{Guid.NewGuid():N}");
        try
        {
            await File.WriteAllTextAsync(probe, "ok", cancellationToken);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{Location} is not writable: {e.Message}";
        }
    }

    public Task<IReadOnlyList<string>> RemoveLeftoversAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. areas.Where(folder => folder.EmptyTrash() > 0).Select(folder => $"{folder.Root}/.trash")]);

    /// <summary>The file of one artefact, for tests that look at a stored version in place.</summary>
    internal string PathOf(StoreArea area, ModuleVersion version, ArtefactKind kind) => Folder(area).PathOf(version, kind);

    private ArtefactFolder Folder(StoreArea area) => areas[(int)area];
}
