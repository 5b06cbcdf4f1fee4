using SecureGateway.Modules;

namespace SecureGateway.Storage;

/// <summary>
/// Module versions on disk, one directory each: <c>{root}/{escaped path}/@v/{escaped version}/{info,mod,zip}</c>.
/// A version appears by renaming a complete staged directory into place, so readers see all three files or none.
/// The cache and the quarantine are two stores with different roots.
/// </summary>
public sealed class ArtefactStore
{
    private readonly string root;

    public ArtefactStore(string root)
    {
        this.root = Path.GetFullPath(root);
        Directory.CreateDirectory(this.root);
    }

    public bool Contains(ModuleVersion module) => Directory.Exists(DirectoryOf(module));

    public string PathOf(ModuleVersion module, ArtefactKind kind) => Path.Combine(DirectoryOf(module), kind.Extension());

    /// <summary>Moves a staged version into the store; false when it was already there (the staged copy is left to its owner).</summary>
    public bool Commit(StagedModule staged, ModuleVersion module)
    {
        var target = DirectoryOf(module);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            Directory.Move(staged.Directory, target);
            return true;
        }
        catch (IOException) when (Directory.Exists(target))
        {
            return false;
        }
    }

    /// <summary>Moves a version to <paramref name="other"/> (a release from quarantine, a re-evaluation taking it back); false when it is not here.</summary>
    public bool MoveTo(ModuleVersion module, ArtefactStore other)
    {
        var source = DirectoryOf(module);
        var target = other.DirectoryOf(module);
        if (!Directory.Exists(source))
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }

        Directory.Move(source, target);
        return true;
    }

    /// <summary>Removes a version (a final denial of a quarantined one).</summary>
    public void Delete(ModuleVersion module)
    {
        var directory = DirectoryOf(module);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
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

    private string DirectoryOf(ModuleVersion module) =>
        Path.Combine(root, ModuleEscaping.EscapePath(module.Path), "@v", ModuleEscaping.EscapeVersion(module.Version));
}
