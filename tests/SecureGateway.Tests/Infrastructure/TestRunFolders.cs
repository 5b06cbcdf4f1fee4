using System.Diagnostics;

namespace SecureGateway.Tests.Infrastructure;

/// <summary>
/// Where a test run keeps its scratch files: one folder per test process, named by its id. The test host can be ended
/// before its exit handlers run, so each run removes the folders that earlier, finished runs left behind (a cluster
/// of PostgreSQL test databases is gigabytes).
/// </summary>
internal static class TestRunFolders
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "securegateway-tests");

    /// <summary>This run's folder for <paramref name="kind"/>, after removing the ones of runs that are over.</summary>
    public static string For(string kind)
    {
        var parent = Directory.CreateDirectory(Path.Combine(Root, kind)).FullName;
        foreach (var stale in Directory.EnumerateDirectories(parent).Where(IsOver))
        {
            try
            {
                Directory.Delete(stale, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Still in use after all, or not ours to delete: left for the next run.
            }
        }

        return Path.Combine(parent, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Its test process has ended, and no PostgreSQL server still runs from it.</summary>
    private static bool IsOver(string folder) =>
        int.TryParse(Path.GetFileName(folder), out var owner) && owner != Environment.ProcessId && !IsRunning(owner)
        && !(ServerPid(folder) is { } server && IsRunning(server));

    private static int? ServerPid(string folder)
    {
        var pidFile = Directory.EnumerateFiles(folder, "postmaster.pid", SearchOption.AllDirectories).FirstOrDefault();
        return pidFile is not null && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) ? pid : null;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
