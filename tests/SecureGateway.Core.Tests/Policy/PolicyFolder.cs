using SecureGateway.Policy;

namespace SecureGateway.Core.Tests.Policy;

/// <summary>A temporary policy folder for a test, deleted on dispose; and the repository's shipped policies/.</summary>
internal sealed class PolicyFolder : IDisposable
{
    public PolicyFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sg-policy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The repository's policies/ folder, found by walking up from the test assembly to the repository root.</summary>
    public static string Shipped { get; } = FindShipped();

    /// <summary>A folder holding the given rules (name → source) and nothing else.</summary>
    public static PolicyFolder WithRules(params (string Name, string Source)[] rules)
    {
        var folder = new PolicyFolder();
        foreach (var (name, source) in rules)
        {
            folder.Write(name + ".js", source);
        }

        return folder;
    }

    /// <summary>A copy of the shipped policies/ folder.</summary>
    public static PolicyFolder CopyOfShipped()
    {
        var folder = new PolicyFolder();
        foreach (var file in Directory.EnumerateFiles(Shipped, "*", SearchOption.AllDirectories))
        {
            folder.Write(System.IO.Path.GetRelativePath(Shipped, file), File.ReadAllText(file));
        }

        return folder;
    }

    public PolicyFolder Write(string relativePath, string content)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return this;
    }

    public PolicyBundle Load() => PolicyBundle.Load(Path);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string FindShipped()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "SecureGateway.sln")))
            {
                return System.IO.Path.Combine(dir.FullName, "policies");
            }
        }

        throw new InvalidOperationException($"no SecureGateway.sln above {AppContext.BaseDirectory}");
    }
}

internal static class Facts
{
    public static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Typical facts: old, MIT, verified, active GitHub repository, nothing found.</summary>
    public static ModuleFacts Typical() => ModuleFacts.Example(Now);
}
