namespace SecureGateway.Modules;

/// <summary>
/// Go's module path rules (golang.org/x/mod/module CheckPath, CheckImportPath, CheckFilePath,
/// SplitPathVersion, CheckPathMajor). Errors are Go's texts, e.g.
/// <c>malformed module path "x": missing dot in first path element</c>.
/// </summary>
public static class ModulePath
{
    // Go has no length limits; we keep module paths in file names, and 255 bytes is the usual limit of a file name.
    internal const int MaxPathBytes = 1024;
    internal const int MaxElementBytes = 255;

    /// <summary>
    /// Checks a module path: a valid import path whose first element is a lower-case domain name with a dot,
    /// whose elements do not start with a dot, and whose final <c>/vN</c> (or gopkg.in <c>.vN</c>) is well formed.
    /// Beyond Go, a path longer than 1024 bytes or with an element longer than 255 bytes is rejected as
    /// "too long", because the gateway stores module paths on disk (Go itself has no limit).
    /// </summary>
    /// <returns>null when valid, else the reason.</returns>
    public static string? CheckPath(string path)
    {
        string? error = ModuleError(path);
        return error is null ? null : $"malformed module path {GoQuote.Quote(path)}: {error}";
    }

    /// <summary>
    /// Checks a package import path: the module path element grammar plus <c>+</c> and leading dots,
    /// without the first-element, major-version and length rules.
    /// </summary>
    public static string? CheckImportPath(string path) =>
        PathRules.CheckPath(path, PathKind.Import) is { } error ? $"malformed import path {GoQuote.Quote(path)}: {error}" : null;

    /// <summary>Checks a slash-separated file path inside a module (Unicode letters and more punctuation allowed).</summary>
    public static string? CheckFilePath(string path) =>
        PathRules.CheckPath(path, PathKind.File) is { } error ? $"malformed file path {GoQuote.Quote(path)}: {error}" : null;

    /// <summary>
    /// Splits a module path into prefix and major-version suffix (<c>/vN</c> with N ≥ 2, or <c>.vN</c> /
    /// <c>.vN-unstable</c> for gopkg.in). False, with prefix = path and pathMajor = "", when the final element
    /// is a malformed version such as <c>/v1</c>, <c>/v0</c> or <c>/v2.0</c>.
    /// </summary>
    public static bool TrySplitPathVersion(string path, out string prefix, out string pathMajor)
    {
        prefix = path;
        pathMajor = "";
        if (path.StartsWith("gopkg.in/", StringComparison.Ordinal))
        {
            return TrySplitGopkgIn(path, ref prefix, ref pathMajor);
        }

        int i = path.Length;
        bool dot = false;
        while (i > 0 && (char.IsAsciiDigit(path[i - 1]) || path[i - 1] == '.'))
        {
            dot |= path[i - 1] == '.';
            i--;
        }
        if (i <= 1 || i == path.Length || path[i - 1] != 'v' || path[i - 2] != '/')
        {
            return true;
        }
        string major = path[(i - 2)..];
        if (dot || major.Length <= 2 || major[2] == '0' || major == "/v1")
        {
            return false;
        }
        (prefix, pathMajor) = (path[..(i - 2)], major);
        return true;
    }

    /// <summary>
    /// Checks that version <paramref name="version"/> may be used with path major suffix
    /// <paramref name="pathMajor"/> (from <see cref="TrySplitPathVersion"/>).
    /// </summary>
    /// <returns>null when they agree, else Go's InvalidVersionError text.</returns>
    public static string? CheckPathMajor(string version, string pathMajor) =>
        PathMajorMismatch(version, pathMajor) is { } reason ? $"version {GoQuote.Quote(version)} invalid: {reason}" : null;

    // The reason inside Go's InvalidVersionError, shared with module.Check's error.
    internal static string? PathMajorMismatch(string version, string pathMajor)
    {
        if (pathMajor.StartsWith(".v", StringComparison.Ordinal) && pathMajor.EndsWith("-unstable", StringComparison.Ordinal))
        {
            pathMajor = pathMajor[..^"-unstable".Length];
        }
        // Early vgo wrote v0.0.0- pseudo-versions for gopkg.in .v1 paths; go.mod files still carry them.
        if (version.StartsWith("v0.0.0-", StringComparison.Ordinal) && pathMajor == ".v1")
        {
            return null;
        }
        string major = SemanticVersion.Major(version);
        if (pathMajor.Length == 0)
        {
            if (major is "v0" or "v1" || SemanticVersion.Build(version) == "+incompatible")
            {
                return null;
            }
            pathMajor = "v0 or v1";
        }
        else if (pathMajor[0] is '/' or '.')
        {
            if (major == pathMajor[1..])
            {
                return null;
            }
            pathMajor = pathMajor[1..];
        }
        return $"should be {pathMajor}, not {major}";
    }

    private static string? ModuleError(string path)
    {
        if (PathRules.CheckPath(path, PathKind.Module) is { } error)
        {
            return error;
        }
        // checkPath already rejected an empty first element and a leading dash.
        int slash = path.IndexOf('/', StringComparison.Ordinal);
        string first = slash < 0 ? path : path[..slash];
        if (!first.Contains('.', StringComparison.Ordinal))
        {
            return "missing dot in first path element";
        }
        foreach (char c in first)
        {
            if (!(c is '-' or '.' || char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c)))
            {
                return $"invalid char {GoQuote.QuoteRune(c)} in first path element";
            }
        }
        if (!TrySplitPathVersion(path, out _, out _))
        {
            return "invalid version";
        }
        return LengthError(path);
    }

    // The path is ASCII by now, so characters are bytes.
    private static string? LengthError(string path)
    {
        if (path.Length > MaxPathBytes)
        {
            return $"too long ({path.Length} bytes; limit is {MaxPathBytes})";
        }
        int longest = path.Split('/').Max(element => element.Length);
        return longest > MaxElementBytes ? $"path element too long ({longest} bytes; limit is {MaxElementBytes})" : null;
    }

    private static bool TrySplitGopkgIn(string path, ref string prefix, ref string pathMajor)
    {
        int i = path.EndsWith("-unstable", StringComparison.Ordinal) ? path.Length - "-unstable".Length : path.Length;
        while (i > 0 && char.IsAsciiDigit(path[i - 1]))
        {
            i--;
        }
        // All gopkg.in paths end in .vN.
        if (i <= 1 || path[i - 1] != 'v' || path[i - 2] != '.')
        {
            return false;
        }
        string major = path[(i - 2)..];
        if (major.Length <= 2 || (major[2] == '0' && major != ".v0"))
        {
            return false;
        }
        (prefix, pathMajor) = (path[..(i - 2)], major);
        return true;
    }
}
