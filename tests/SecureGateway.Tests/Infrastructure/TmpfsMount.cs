using System.Diagnostics;

namespace SecureGateway.Tests.Infrastructure;

/// <summary>
/// A small tmpfs mounted on a fresh folder (needs root, or CAP_SYS_ADMIN in a container): a file system that fills up,
/// or that can be remounted read-only, which plain chmod cannot model for root.
/// </summary>
internal sealed class TmpfsMount : IDisposable
{
    private static readonly Lazy<string?> WhyNot = new(Probe);

    private TmpfsMount(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>Null when tmpfs can be mounted here; otherwise why not, for a test's skip reason.</summary>
    public static string? Unavailable => WhyNot.Value;

    public static TmpfsMount Create(string size)
    {
        var directory = TempDirectory.Create("tmpfs");
        Mount("-t", "tmpfs", "-o", $"size={size}", "tmpfs", directory);
        return new TmpfsMount(directory);
    }

    /// <summary>Remounts with other options, e.g. <c>ro</c>, <c>rw</c> or <c>size=8m</c>.</summary>
    public void Remount(string options) => Mount("-o", $"remount,{options}", Directory);

    public void Dispose() => Run("umount", Directory);

    private static void Mount(params string[] arguments)
    {
        if (Run("mount", arguments) is { } error)
        {
            throw new InvalidOperationException($"mount {string.Join(' ', arguments)}: {error}");
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "tmpfs mounts need Linux";
        }

        try
        {
            using var probe = Create("64k");
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"cannot mount a tmpfs here ({e.Message.Trim()}); run the tests as root or with CAP_SYS_ADMIN";
        }
    }

    /// <returns>Null on success, else the command's error output.</returns>
    private static string? Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : $"exit code {process.ExitCode}: {error}";
    }
}

/// <summary>A fact that is skipped, with the reason, where no tmpfs can be mounted: never a pass that proved nothing.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (TmpfsMount.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
