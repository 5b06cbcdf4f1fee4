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
    /// What module.Check lets through but no module version can be, refused before any upstream is asked:
    /// <c>+incompatible</c> on v0 or v1 or with a <c>/vN</c> path (cmd/go's coderepo.go refuses both), and a pseudo-version
    /// whose timestamp is no time (module.PseudoVersionTime). Beyond Go, an escaped version longer than a file name, since
    /// the gateway keeps each version in a folder of that name. Call after <see cref="Check"/> passed.
    /// </summary>
    /// <returns>null when the version can exist, else why not.</returns>
    public static string? CheckServable(string path, string version)
    {
        var escapedLength = ModuleEscaping.EscapeVersion(version).Length;
        if (escapedLength > ModulePath.MaxElementBytes)
        {
            return $"{path}@{version[..16]}...: version too long ({escapedLength} bytes escaped; limit is {ModulePath.MaxElementBytes})";
        }

        if (SemanticVersion.Build(version) == "+incompatible")
        {
            ModulePath.TrySplitPathVersion(path, out _, out var pathMajor);
            var major = SemanticVersion.Major(version);
            if (pathMajor.Length > 0)
            {
                return $"{path}@{version}: invalid version: +incompatible suffix not allowed: module path includes a major version suffix, so major version must match";
            }

            if (major is "v0" or "v1")
            {
                return $"{path}@{version}: invalid version: +incompatible suffix not allowed: major version {major} is compatible";
            }
        }

        return IsPseudoVersion(version) && !HasPseudoVersionTime(version)
            ? $"{path}@{version}: invalid pseudo-version: the timestamp is not a time (yyyymmddhhmmss, UTC)"
            : null;
    }

    /// <summary>
    /// Reports whether v is a pseudo-version (vX.0.0-yyyymmddhhmmss-abcdef123456 and its two variants
    /// after a tag), as module.IsPseudoVersion.
    /// </summary>
    public static bool IsPseudoVersion(string v) =>
        v.Count(c => c == '-') >= 2 && SemanticVersion.IsValid(v) && PseudoVersionPattern().IsMatch(v);

    /// <summary>Whether the 14 digits before the revision parse as Go's "20060102150405" (parsePseudoVersion's split).</summary>
    private static bool HasPseudoVersionTime(string v)
    {
        var withoutBuild = v[..^SemanticVersion.Build(v).Length];
        var beforeRevision = withoutBuild[..withoutBuild.LastIndexOf('-')];
        var timestamp = beforeRevision[(Math.Max(beforeRevision.LastIndexOf('-'), beforeRevision.LastIndexOf('.')) + 1)..];
        return DateTime.TryParseExact(
            timestamp, "yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _);
    }

    // Go's pattern with ASCII-only digits (RE2's \d) and \z, since .NET's $ would also match before a final newline.
    [GeneratedRegex(@"^v[0-9]+\.(0\.0-|[0-9]+\.[0-9]+-([^+]*\.)?0\.)[0-9]{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex PseudoVersionPattern();
}
