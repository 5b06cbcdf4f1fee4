using System.IO.Compression;
using SecureGateway.Modules;

namespace SecureGateway.Verification.ZipRules;

/// <summary>
/// The rules the go command applies to a module zip (golang.org/x/mod/zip CheckZip and Unzip, dirhash.HashZip),
/// checked in one streaming pass over the zip file.
/// </summary>
public static class ModuleZipRules
{
    /// <summary>Largest zip file, and largest total of declared uncompressed sizes (zip.MaxZipFile).</summary>
    public const long MaxZipFile = 500L << 20;

    /// <summary>Largest go.mod in a zip (zip.MaxGoMod).</summary>
    public const long MaxGoMod = 16L << 20;

    /// <summary>Largest LICENSE in a zip (zip.MaxLICENSE).</summary>
    public const long MaxLicense = 16L << 20;

    /// <summary>
    /// Checks a module zip on disk without loading it into memory: the version is canonical and agrees with the
    /// path (module.Check); the zip is at most <see cref="MaxZipFile"/>; every entry starts with
    /// <c>path@version/</c>, is clean, passes <see cref="ModulePath.CheckFilePath"/>, collides with no other entry
    /// under case folding, file or directory, and has a name that is valid UTF-8; go.mod appears only at the root,
    /// spelled exactly so, and matches <paramref name="servedGoMod"/>; go.mod and LICENSE are at most 16 MiB;
    /// declared sizes add up to at most <see cref="MaxZipFile"/>; every entry inflates to exactly its declared size
    /// (inflating stops one byte past it) with a matching CRC-32, using Store or Deflate only.
    /// All violations are collected; the h1 hash is computed in the same pass.
    /// </summary>
    /// <remarks>
    /// Stricter than Go in three corners: directory entries' declared sizes count towards the total (Go skips them
    /// there but still reads their bytes when hashing), a zero CRC-32 is not taken as "unknown", and an entry whose
    /// Unix mode says symbolic link or another special file is refused (Go never writes one; unzip tools create it).
    /// ZipArchive does not expose data descriptors, so their copy of the CRC is not compared (Go compares it).
    /// A file that is not a zip yields one violation; a file that cannot be opened throws.
    /// </remarks>
    public static ModuleZipReport Check(string zipFilePath, string modulePath, string version, ReadOnlySpan<byte> servedGoMod)
    {
        using var file = new FileStream(zipFilePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Check(file, modulePath, version, servedGoMod);
    }

    /// <summary>
    /// As <see cref="Check(string, string, string, ReadOnlySpan{byte})"/>, over a seekable stream of known length
    /// (read from its current state, left open).
    /// </summary>
    public static ModuleZipReport Check(Stream zip, string modulePath, string version, ReadOnlySpan<byte> servedGoMod)
    {
        ArgumentNullException.ThrowIfNull(zip);
        long zipSize = zip.Length;
        if ((CheckModule(modulePath, version) ?? CheckZipSize(zipSize)) is { } refusal)
        {
            return Rejected(refusal, zipSize);
        }

        if (CentralDirectory.DeclaredEntries(zip) is > CentralDirectory.MaxEntries and var declared)
        {
            // Ours, not Go's: Go has no entry limit, but its reader, like ours, holds the whole directory in memory.
            return Rejected($"zip: declares {declared} entries; the limit is {CentralDirectory.MaxEntries}", zipSize);
        }

        ZipArchive? archive = null;
        try
        {
            archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true, ZipEntryReader.NameEncoding);

            // The central directory is read on first use: an end record that misstates it fails here, not mid-scan.
            _ = archive.Entries.Count;
        }
        catch (InvalidDataException)
        {
            archive?.Dispose();
            return Rejected("zip: not a valid zip file", zipSize);
        }
        using (archive)
        {
            return new ModuleZipScan($"{modulePath}@{version}/").Run(archive, zipSize, servedGoMod);
        }
    }

    private static string? CheckModule(string modulePath, string version)
    {
        string canonical = ModuleVersions.CanonicalVersion(version);
        if (canonical != version)
        {
            return $"version {GoQuote.Quote(version)} is not canonical (should be {GoQuote.Quote(canonical)})";
        }
        return ModuleVersions.Check(modulePath, version);
    }

    private static string? CheckZipSize(long zipSize) =>
        zipSize > MaxZipFile ? $"module zip file is too large ({zipSize} bytes; limit is {MaxZipFile} bytes)" : null;

    private static ModuleZipReport Rejected(string reason, long zipSize) =>
        new([new ZipViolation("", reason)], null, zipSize, 0, 0, false);
}
