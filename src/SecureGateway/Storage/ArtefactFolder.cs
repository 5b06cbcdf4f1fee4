using SecureGateway.Modules;

namespace SecureGateway.Storage;

/// <summary>
/// One area of <see cref="FolderArtefactStore"/> on disk, one directory per version:
/// <c>{root}/{escaped path}/@v/{escaped version}/{info,mod,zip}</c>. A version appears by renaming a complete staged
/// directory into place, so readers see all three files or none.
/// </summary>
internal sealed class ArtefactFolder
{
    /// <summary>Where replaced copies go to be deleted; not a module path (no <c>@v</c> below it), so never listed.</summary>
    private const string TrashFolder = ".trash";

    private const int MaxCommitAttempts = 100;

    private readonly string root;

    public ArtefactFolder(string root)
    {
        this.root = Path.GetFullPath(root);
        Directory.CreateDirectory(this.root);
    }

    public string Root => root;

    public bool Contains(ModuleVersion module) => Directory.Exists(DirectoryOf(module));

    public string PathOf(ModuleVersion module, ArtefactKind kind) => Path.Combine(DirectoryOf(module), kind.Extension());

    public string DirectoryOf(ModuleVersion module) =>
        Path.Combine(root, ModuleEscaping.EscapePath(module.Path), "@v", ModuleEscaping.EscapeVersion(module.Version));

    /// <summary>
    /// Moves a staged version into the store, replacing what was there: the staged files were verified just now, an
    /// older copy may be of an earlier decision.
    /// </summary>
    public void Commit(StagedModule staged, ModuleVersion module)
    {
        var target = DirectoryOf(module);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        for (var attempt = 0; ; attempt++)
        {
            RemoveDirectory(target);
            try
            {
                Directory.Move(staged.Directory, target);
                return;
            }
            catch (IOException) when (attempt < MaxCommitAttempts && Directory.Exists(staged.Directory))
            {
                // Another writer of the same version moved its copy in between (and may be removing it again): the
                // later one replaces it. A short random pause keeps two writers from trading places for long.
                Thread.Sleep(Random.Shared.Next(0, 1 + Math.Min(attempt, 10)));
            }
        }
    }

    /// <summary>
    /// Moves a version to <paramref name="other"/>; false when it is not here. When <paramref name="other"/> already holds
    /// the version, that copy is kept and this one removed: processes sharing a folder may race to move the same
    /// version, and a move must never delete what another process has just moved into place.
    /// </summary>
    public bool MoveTo(ModuleVersion module, ArtefactFolder other)
    {
        var source = DirectoryOf(module);
        var target = other.DirectoryOf(module);
        if (!Directory.Exists(source))
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            Directory.Move(source, target);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
        catch (IOException) when (Directory.Exists(target))
        {
            RemoveDirectory(source);
            return true;
        }
    }

    /// <summary>Every version held here, as (module path, version); folders that are not escaped module versions are skipped.</summary>
    public IEnumerable<ModuleVersion> All()
    {
        foreach (var versions in Directory.EnumerateDirectories(root, "@v", SearchOption.AllDirectories))
        {
            var escapedPath = Path.GetRelativePath(root, Path.GetDirectoryName(versions)!).Replace(Path.DirectorySeparatorChar, '/');
            if (!ModuleEscaping.TryUnescapePath(escapedPath, out var path, out _))
            {
                continue;
            }

            foreach (var directory in Directory.EnumerateDirectories(versions))
            {
                if (ModuleEscaping.TryUnescapeVersion(Path.GetFileName(directory), out var version, out _))
                {
                    yield return new ModuleVersion(path, version);
                }
            }
        }
    }

    /// <summary>The versions of <paramref name="modulePath"/> held here, unordered.</summary>
    public IEnumerable<string> Versions(string modulePath)
    {
        var versions = Path.Combine(root, ModuleEscaping.EscapePath(modulePath), "@v");
        if (!Directory.Exists(versions))
        {
            return [];
        }

        return Directory.EnumerateDirectories(versions)
            .Select(Path.GetFileName)
            .Select(escaped => ModuleEscaping.TryUnescapeVersion(escaped!, out var version, out _) ? version : null)
            .OfType<string>();
    }

    /// <summary>Deletes what a crash left in the trash; returns how many folders.</summary>
    public int EmptyTrash()
    {
        var trash = Path.Combine(root, TrashFolder);
        if (!Directory.Exists(trash))
        {
            return 0;
        }

        var folders = Directory.GetDirectories(trash);
        foreach (var folder in folders)
        {
            Directory.Delete(folder, recursive: true);
        }

        return folders.Length;
    }

    /// <summary>Removes the version; false when it was not here.</summary>
    public bool Remove(ModuleVersion module) => RemoveDirectory(DirectoryOf(module));

    /// <summary>
    /// Renames the folder into the trash, then deletes it there: a crash mid-delete never leaves half a version in the
    /// store (which would look present and be served as missing files for ever).
    /// </summary>
    private bool RemoveDirectory(string directory)
    {
        var trash = Path.Combine(root, TrashFolder, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(trash)!);
        try
        {
            Directory.Move(directory, trash);
        }
        catch (DirectoryNotFoundException)
        {
            // Not there, or moved meanwhile by another process sharing the folder.
            return false;
        }

        Directory.Delete(trash, recursive: true);
        return true;
    }
}
