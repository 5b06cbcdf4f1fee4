using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Reports;

/// <summary>
/// Debian's <c>chromium</c>, headless, with a fresh profile and nothing that phones home: opens a local file and
/// dumps the DOM it built or takes a screenshot. <c>.ci/run</c> installs it.
/// </summary>
internal static class HeadlessChromium
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static string Executable =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "chromium"))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("chromium is not installed: apt-get install chromium (.ci/run installs it)");

    /// <summary>The DOM after the page loaded, serialised.</summary>
    public static async Task<string> DumpDomAsync(string file) =>
        (await RunAsync(file, "--dump-dom")).StandardOutput;

    /// <summary>A PNG of the page at <paramref name="width"/> × <paramref name="height"/> CSS pixels.</summary>
    public static async Task<string> ScreenshotAsync(string file, string png, int width = 1200, int height = 2000)
    {
        await RunAsync(file, $"--screenshot={png}", $"--window-size={width},{height}", "--hide-scrollbars");
        return png;
    }

    private static async Task<CommandResult> RunAsync(string file, params string[] action)
    {
        var profile = TempDirectory.Create("chromium-profile");
        string[] arguments =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--user-data-dir={profile}",
            .. action, new Uri(Path.GetFullPath(file)).AbsoluteUri,
        ];
        var environment = ExternalProcess.CleanBaseEnvironment();
        environment["HOME"] = profile;
        return (await ExternalProcess.RunAsync(Executable, profile, environment, arguments, Timeout)).EnsureSuccess();
    }
}
