namespace SecureGateway.Storage;

/// <summary>
/// Where fetches land before verification; on the same file system as the stores so a commit is a rename. Each
/// process stages under a folder of its own, marked live by an exclusive lock on a file beside it, so processes
/// sharing a data directory never remove each other's work.
/// </summary>
public sealed class StagingArea : IDisposable
{
    private const string LockSuffix = ".lock";

    private readonly string root;
    private readonly string own;
    private readonly FileStream ownLock;

    public StagingArea(string root)
    {
        this.root = Path.GetFullPath(root);
        Directory.CreateDirectory(this.root);
        own = Path.Combine(this.root, Guid.NewGuid().ToString("N"));
        ownLock = new FileStream(own + LockSuffix, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        Directory.CreateDirectory(own);
    }

    public StagedModule Create() => new(Path.Combine(own, Guid.NewGuid().ToString("N")));

    /// <summary>
    /// Removes what processes that stopped mid-admission left behind (their lock is free again); what they staged was
    /// never admitted. Returns the folders removed.
    /// </summary>
    public IReadOnlyList<string> RemoveLeftovers()
    {
        var removed = new List<string>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(root))
        {
            var folder = entry.EndsWith(LockSuffix, StringComparison.Ordinal) ? entry[..^LockSuffix.Length] : entry;
            if (folder == own || removed.Contains(folder) || !TryClaim(folder + LockSuffix, out var claim))
            {
                continue;
            }

            using (claim)
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
                else if (File.Exists(folder))
                {
                    File.Delete(folder);
                }

                File.Delete(folder + LockSuffix);
            }

            removed.Add(folder);
        }

        return removed;
    }

    public void Dispose()
    {
        ownLock.Dispose();
        if (Directory.Exists(own))
        {
            Directory.Delete(own, recursive: true);
        }

        File.Delete(own + LockSuffix);
    }

    /// <summary>Takes a dead process's lock; false while its owner lives (.NET locks FileShare.None files across processes).</summary>
    private static bool TryClaim(string lockFile, out FileStream? claim)
    {
        try
        {
            claim = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            claim = null;
            return false;
        }
    }
}
