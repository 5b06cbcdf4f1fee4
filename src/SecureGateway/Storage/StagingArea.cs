namespace SecureGateway.Storage;

/// <summary>Where fetches land before verification; on the same file system as the stores so a commit is a rename.</summary>
public sealed class StagingArea
{
    private readonly string root;

    public StagingArea(string root)
    {
        this.root = Path.GetFullPath(root);

        // Whatever is here was left by a process that stopped mid-admission: it was never admitted.
        if (Directory.Exists(this.root))
        {
            Directory.Delete(this.root, recursive: true);
        }

        Directory.CreateDirectory(this.root);
    }

    public StagedModule Create() => new(Path.Combine(root, Guid.NewGuid().ToString("N")));
}
