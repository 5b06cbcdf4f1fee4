namespace SecureGateway.Policy.Licences;

/// <summary>
/// Which files of a module are licence files: pkgsite's rules (golang/pkgsite internal/licenses/licenses.go,
/// FileNames and isVendoredFile), so the gateway sees the licences pkg.go.dev shows, and the conventions pkgsite
/// misses: the LGPL's COPYING.LESSER and COPYING.LIB beside the GPL in COPYING (the GNU way), and REUSE's
/// <c>LICENSES/</c> folder, one file per licence.
/// </summary>
internal static class LicenceFileNames
{
    /// <summary>pkgsite's FileNames, verbatim; compared case-insensitively against the file's base name.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "COPYING", "COPYING.md", "COPYING.markdown", "COPYING.txt",
        "LICENCE", "LICENCE.md", "LICENCE.markdown", "LICENCE.txt",
        "LICENSE", "LICENSE.md", "LICENSE.markdown", "LICENSE.txt",
        "LICENSE-2.0.txt", "LICENCE-2.0.txt",
        "LICENSE-APACHE", "LICENCE-APACHE",
        "LICENSE-APACHE-2.0.txt", "LICENCE-APACHE-2.0.txt",
        "LICENSE-MIT", "LICENCE-MIT",
        "LICENSE.MIT", "LICENCE.MIT",
        "LICENSE.code", "LICENCE.code",
        "LICENSE.docs", "LICENCE.docs",
        "LICENSE.rst", "LICENCE.rst",
        "MIT-LICENSE", "MIT-LICENCE",
        "MIT-LICENSE.md", "MIT-LICENCE.md",
        "MIT-LICENSE.markdown", "MIT-LICENCE.markdown",
        "MIT-LICENSE.txt", "MIT-LICENCE.txt",
        "MIT_LICENSE", "MIT_LICENCE",
        "UNLICENSE", "UNLICENCE",
    ];

    /// <summary>The GNU names of the LGPL's file, which pkgsite does not read.</summary>
    public static readonly IReadOnlyList<string> GnuLesserNames = ["COPYING.LESSER", "COPYING.LESSER.txt", "COPYING.LIB", "COPYING.LIB.txt"];

    /// <summary>REUSE's folder of licence texts (reuse.software: <c>LICENSES/&lt;SPDX id&gt;.txt</c>).</summary>
    public const string ReuseFolder = "LICENSES";

    // pkgsite lower-cases both sides; OrdinalIgnoreCase agrees for these ASCII names.
    private static readonly HashSet<string> NameSet = new([.. Names, .. GnuLesserNames], StringComparer.OrdinalIgnoreCase);

    /// <param name="pathInModule">'/'-separated path relative to the module root.</param>
    public static bool IsLicenceFile(string pathInModule)
    {
        ArgumentNullException.ThrowIfNull(pathInModule);
        int slash = pathInModule.LastIndexOf('/');
        string baseName = pathInModule[(slash + 1)..];
        string folder = slash < 0 ? "" : pathInModule[(pathInModule.LastIndexOf('/', Math.Max(0, slash - 1)) + 1)..slash];
        return (NameSet.Contains(baseName) || (folder == ReuseFolder && baseName.Length > 0)) && !IsVendored(pathInModule);
    }

    /// <summary>
    /// pkgsite's isVendoredFile: in a proper subdirectory of a vendor directory. "vendor/LICENSE" still counts,
    /// since a Go package may be named vendor; "vendor/x/LICENSE" and "a/vendor/x/LICENSE" do not.
    /// </summary>
    /// <remarks>
    /// Nested modules need no rule: the go command leaves directories with their own go.mod out of a module zip,
    /// and pkgsite has none either.
    /// </remarks>
    public static bool IsVendored(string pathInModule)
    {
        int offset;
        if (pathInModule.StartsWith("vendor/", StringComparison.Ordinal))
        {
            offset = "vendor/".Length;
        }
        else if (pathInModule.IndexOf("/vendor/", StringComparison.Ordinal) is var i and >= 0)
        {
            offset = i + "/vendor/".Length;
        }
        else
        {
            return false;
        }
        return pathInModule.IndexOf('/', offset) >= 0;
    }
}
