namespace SecureGateway.Tests.Infrastructure;

internal static class TempDirectory
{
    /// <summary>A new empty directory under the system temp folder; tests leave them for the OS to clean.</summary>
    public static string Create(string purpose) =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "securegateway-tests", $"{purpose}-{Guid.NewGuid():N}")).FullName;
}
