namespace SecureGateway.Verification.ZipRules;

/// <summary>What <see cref="ModuleZipRules.Check"/> found in one module zip.</summary>
/// <param name="Violations">Every broken rule, in entry order; empty when the zip is valid.</param>
/// <param name="ZipHash">The go.sum "h1:" hash of the zip; null unless the zip is valid.</param>
/// <param name="ZipSize">Size of the zip file in bytes.</param>
/// <param name="UncompressedSize">Sum of the declared uncompressed sizes of all entries (saturating).</param>
/// <param name="FileCount">Number of entries that are not directories.</param>
/// <param name="HasGoMod">Whether the zip holds <c>path@version/go.mod</c> with an acceptable name.</param>
public sealed record ModuleZipReport(
    IReadOnlyList<ZipViolation> Violations,
    string? ZipHash,
    long ZipSize,
    long UncompressedSize,
    int FileCount,
    bool HasGoMod)
{
    public bool IsValid => Violations.Count == 0;
}
