namespace SecureGateway.Storage;

/// <summary>
/// A private temp directory holding one version's info, mod and zip while they are verified.
/// Disposing removes whatever was not committed, so a failed admission leaves nothing behind.
/// </summary>
public sealed class StagedModule : IDisposable
{
    internal StagedModule(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
    }

    public string Directory { get; }

    public string PathOf(ArtefactKind kind) => Path.Combine(Directory, kind.Extension());

    /// <summary>A new staged file; others may read it while it is written (a large zip is checked as it arrives).</summary>
    public FileStream Create(ArtefactKind kind) =>
        new(PathOf(kind), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 81920, FileOptions.Asynchronous);

    /// <summary>All three artefacts are staged; a store saves nothing less.</summary>
    /// <exception cref="InvalidOperationException">One is missing.</exception>
    public void EnsureComplete()
    {
        foreach (var kind in Enum.GetValues<ArtefactKind>())
        {
            if (!File.Exists(PathOf(kind)))
            {
                throw new InvalidOperationException($"the staged version has no .{kind.Extension()}: not saved");
            }
        }
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
