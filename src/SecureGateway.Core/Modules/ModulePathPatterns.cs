namespace SecureGateway.Modules;

/// <summary>
/// Go's <c>module.MatchPrefixPatterns</c>: the comma-separated glob lists of GOPRIVATE, GONOPROXY and GONOSUMDB.
/// A glob with N slashes matches the first N+1 elements of the module path, so <c>corp.example.com</c>
/// covers every module under it and <c>*/internal</c> covers <c>x/internal/y</c>.
/// </summary>
public static class ModulePathPatterns
{
    public static bool Matches(string globs, string modulePath)
    {
        foreach (var entry in globs.Split(','))
        {
            var glob = entry.TrimEnd('/');
            if (glob.Length == 0)
            {
                continue;
            }

            var prefix = LeadingElements(modulePath, glob.Count(c => c == '/') + 1);
            if (prefix is not null && PathGlob.Matches(glob, prefix))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first <paramref name="count"/> elements of <paramref name="path"/>, or null when it has fewer.</summary>
    private static string? LeadingElements(string path, int count)
    {
        var slashes = 0;
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '/' && ++slashes == count)
            {
                return path[..i];
            }
        }

        return slashes == count - 1 ? path : null;
    }
}
