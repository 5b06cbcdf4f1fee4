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

    public FileStream Create(ArtefactKind kind) =>
        new(PathOf(kind), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.Asynchronous);

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
