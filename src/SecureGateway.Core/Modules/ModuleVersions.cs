using System.Text.RegularExpressions;

namespace SecureGateway.Modules;

/// <summary>Module version rules of golang.org/x/mod/module that involve both path and version.</summary>
public static partial class ModuleVersions
{
    /// <summary>
    /// <see cref="SemanticVersion.Canonical"/>, except that the build suffix <c>+incompatible</c> is kept
    /// (module.CanonicalVersion); "" when invalid.
    /// </summary>
    public static string CanonicalVersion(string v)
    {
        string canonical = SemanticVersion.Canonical(v);
        return SemanticVersion.Build(v) == "+incompatible" ? canonical + "+incompatible" : canonical;
    }

    /// <summary>
    /// Checks that the module path is valid, the version is a semantic version, and the two agree on the
    /// major version (module.Check): "example.com/m/v2" only goes with v2.x.y.
    /// </summary>
    /// <returns>null when valid, else Go's error text.</returns>
    public static string? Check(string path, string version)
    {
        if (ModulePath.CheckPath(path) is { } pathError)
        {
            return pathError;
        }
        if (!SemanticVersion.IsValid(version))
        {
            return $"{path}@{version}: invalid version: not a semantic version";
        }
        ModulePath.TrySplitPathVersion(path, out _, out string pathMajor);
        return ModulePath.PathMajorMismatch(version, pathMajor) is { } reason
            ? $"{path}@{version}: invalid version: {reason}"
            : null;
    }

    /// <summary>
    /// Reports whether v is a pseudo-version (vX.0.0-yyyymmddhhmmss-abcdef123456 and its two variants
    /// after a tag), as module.IsPseudoVersion.
    /// </summary>
    public static bool IsPseudoVersion(string v) =>
        v.Count(c => c == '-') >= 2 && SemanticVersion.IsValid(v) && PseudoVersionPattern().IsMatch(v);

    // Go's pattern with ASCII-only digits (RE2's \d) and \z, since .NET's $ would also match before a final newline.
    [GeneratedRegex(@"^v[0-9]+\.(0\.0-|[0-9]+\.[0-9]+-([^+]*\.)?0\.)[0-9]{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex PseudoVersionPattern();
}
