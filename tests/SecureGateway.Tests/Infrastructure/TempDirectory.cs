namespace SecureGateway.Tests.Infrastructure;

internal static class TempDirectory
{
    private static readonly Lazy<string> RunFolder = new(() => TestRunFolders.For("scratch"));

    /// <summary>A new empty directory in this run's scratch folder, which the next run removes.</summary>
    public static string Create(string purpose) =>
        Directory.CreateDirectory(Path.Combine(RunFolder.Value, $"{purpose}-{Guid.NewGuid():N}")).FullName;
}
