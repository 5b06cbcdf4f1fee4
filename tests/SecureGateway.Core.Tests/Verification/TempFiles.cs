namespace SecureGateway.Core.Tests.Verification;

/// <summary>A temporary folder for one test class's files, deleted afterwards.</summary>
public sealed class TempFiles : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sg-core-tests-").FullName;
    private int count;

    public string Write(byte[] content)
    {
        string path = Path.Combine(folder, $"{Interlocked.Increment(ref count)}.zip");
        File.WriteAllBytes(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
