using System.Text.RegularExpressions;

namespace SecureGateway.Fuzz.Targets;

/// <summary>
/// A second, regex-shaped reading of Go's module.CheckPath and semver.IsValid (golang.org/x/mod module/module.go,
/// semver/semver.go), written from the rules rather than from the gateway's code, so that the two can be compared.
/// </summary>
internal static partial class GoPathOracle
{
    private static readonly string[] WindowsNames =
        ["con", "prn", "aux", "nul", .. Enumerable.Range(1, 9).SelectMany(i => new[] { $"com{i}", $"lpt{i}" })];

    /// <summary>module.CheckPath, plus the gateway's own limits of 1024 bytes a path and 255 an element.</summary>
    public static bool IsModulePath(string path)
    {
        if (path.Length is 0 or > 1024 || path[0] == '-' || !ModuleChars().IsMatch(path))
        {
            return false;
        }
        string[] elements = path.Split('/');
        if (!elements.All(IsModuleElement) || !FirstElement().IsMatch(elements[0]))
        {
            return false;
        }
        return path.StartsWith("gopkg.in/", StringComparison.Ordinal) ? GopkgInSuffix().IsMatch(path) : !BadMajorSuffix().IsMatch(path);
    }

    /// <summary>semver.IsValid: vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]], no leading zeros in numbers.</summary>
    public static bool IsSemver(string version) => Semver().IsMatch(version);

    private static bool IsModuleElement(string element)
    {
        if (element.Length is 0 or > 255 || element[0] == '.' || element[^1] == '.')
        {
            return false;
        }
        string shortName = element.Split('.')[0];
        return !WindowsNames.Contains(shortName.ToLowerInvariant()) && !ShortNameTilde().IsMatch(shortName);
    }

    [GeneratedRegex(@"\A[A-Za-z0-9._~/-]+\z")]
    private static partial Regex ModuleChars();

    [GeneratedRegex(@"\A[a-z0-9.-]*\.[a-z0-9.-]*\z")]
    private static partial Regex FirstElement();

    [GeneratedRegex(@"~[0-9]+\z")]
    private static partial Regex ShortNameTilde();

    // A final /vN must have N ≥ 2 without a leading zero; "/v1.2" and "/v2.0" are malformed too.
    [GeneratedRegex(@"./v(0[0-9.]*|1|[0-9]*\.[0-9.]*)\z")]
    private static partial Regex BadMajorSuffix();

    // gopkg.in paths end in .vN: N = 0 or without a leading zero; Go keeps "-unstable" in the suffix it checks, so
    // ".v0-unstable" is refused and ".v-unstable" (no digits) accepted.
    [GeneratedRegex(@".\.v(0|[1-9][0-9]*|([1-9][0-9]*)?-unstable)\z")]
    private static partial Regex GopkgInSuffix();

    [GeneratedRegex(@"\Av(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*)(-(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?)?\z")]
    private static partial Regex Semver();
}
