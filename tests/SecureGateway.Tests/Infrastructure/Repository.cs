namespace SecureGateway.Tests.Infrastructure;

internal static class Repository
{
    /// <summary>The repository root (where SecureGateway.sln is), found from the test assembly's folder.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A private copy of the shipped policies/ folder, for tests that change it.</summary>
    public static string CopyOfPolicies()
    {
        var copy = TempDirectory.Create("policies");
        var source = Path.Combine(Root, "policies");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SecureGateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SecureGateway.sln not found above " + AppContext.BaseDirectory);
    }
}
