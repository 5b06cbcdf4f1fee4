namespace SecureGateway.Tests.GoTooling;

/// <summary>
/// A fresh directory under the system temp folder, deleted on <see cref="Dispose"/> even when the go
/// command has made parts of it read-only (it does so for extracted modules in GOMODCACHE).
/// </summary>
public sealed class TemporaryDirectory : IDisposable
{
    /// <summary>Creates a new empty directory whose name starts with <paramref name="prefix"/>.</summary>
    public TemporaryDirectory(string prefix = "sg-go-") =>
        Path = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>The absolute path of the directory.</summary>
    public string Path { get; }

    /// <summary>Creates (if needed) and returns a sub-directory.</summary>
    public string CreateSubdirectory(string relativePath) =>
        Directory.CreateDirectory(System.IO.Path.Combine(Path, relativePath)).FullName;

    /// <summary>Deletes the directory and everything in it; missing directories are ignored.</summary>
    public void Dispose() => DeleteRecursively(Path);

    internal static void DeleteRecursively(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode Writable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            File.SetUnixFileMode(path, Writable);
            foreach (var directory in Directory.EnumerateDirectories(path, "*", SearchOption.AllDirectories))
            {
                File.SetUnixFileMode(directory, Writable);
            }
        }

        Directory.Delete(path, recursive: true);
    }
}
