using System.IO.Compression;
using SecureGateway.Verification.DirHash;

namespace SecureGateway.Verification.ZipRules;

/// <summary>The state of one <see cref="ModuleZipRules.Check"/> pass: entry by entry, every violation kept.</summary>
internal sealed class ModuleZipScan(string prefix)
{
    // Not a Go rule: the collision check keeps every path, so a zip of countless deep names could exhaust memory.
    // Real modules have far fewer files and directories; Go's own Unzip would fail on such names anyway.
    internal const int MaxPaths = 1_000_000;

    private readonly EntryNameRules names = new(prefix);
    private readonly List<ZipViolation> violations = [];
    private readonly List<string> hashedNames = [];
    private readonly Dictionary<string, byte[]> digests = new(StringComparer.Ordinal);
    private long budgeted;
    private bool budgetExceeded;
    private long declaredTotal;
    private int fileCount;
    private bool hasGoMod;

    public ModuleZipReport Run(ZipArchive archive, long zipSize, ReadOnlySpan<byte> servedGoMod)
    {
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            if (names.PathCount > MaxPaths)
            {
                violations.Add(new ZipViolation("", $"too many files and directories (limit is {MaxPaths}); zip not checked further"));
                break;
            }
            Inspect(entry, servedGoMod);
        }
        // Every entry was read without fault, so each hashed name has its digest (a repeated root entry twice, as Go).
        string? zipHash = violations.Count == 0 ? Hash1.Summarize(hashedNames, name => digests[name]) : null;
        return new ModuleZipReport(violations, zipHash, zipSize, declaredTotal, fileCount, hasGoMod);
    }

    private void Inspect(ZipArchiveEntry entry, ReadOnlySpan<byte> servedGoMod)
    {
        string entryName = entry.FullName;
        long declared = entry.Length;
        declaredTotal = declared < 0 || declared > long.MaxValue - declaredTotal ? long.MaxValue : declaredTotal + declared;
        if (!entryName.EndsWith('/'))
        {
            fileCount++;
        }

        if (names.Check(entryName, out string name, out bool isDirectory) is { } reason)
        {
            violations.Add(new ZipViolation(entryName, reason));
            return;
        }
        if (SpecialFile(entry) is { } special)
        {
            violations.Add(new ZipViolation(entryName, special));
            return;
        }
        bool isFile = name.Length > 0 && !isDirectory;
        bool withinBudget = Budget(declared);
        if (isFile && name == "go.mod" && declared > ModuleZipRules.MaxGoMod)
        {
            violations.Add(new ZipViolation(entryName, $"go.mod file too large (max size is {ModuleZipRules.MaxGoMod} bytes)"));
            return;
        }
        if (isFile && name == "LICENSE" && declared > ModuleZipRules.MaxLicense)
        {
            violations.Add(new ZipViolation(entryName, $"LICENSE file too large (max size is {ModuleZipRules.MaxLicense} bytes)"));
            return;
        }
        if (!withinBudget)
        {
            return;
        }

        bool isGoMod = isFile && name == "go.mod";
        hasGoMod |= isGoMod;
        using var goMod = isGoMod ? new MemoryStream((int)declared) : null;
        if (ZipEntryReader.Read(entry, goMod, out byte[] digest) is { } failure)
        {
            violations.Add(new ZipViolation(entryName, failure));
            return;
        }
        hashedNames.Add(entryName);
        digests[entryName] = digest;
        if (goMod is not null && !servedGoMod.SequenceEqual(goMod.GetBuffer().AsSpan(0, (int)goMod.Length)))
        {
            violations.Add(new ZipViolation(entryName, "go.mod does not match the module's .mod file"));
        }
    }

    // The file type in the Unix mode (high half of the external attributes): unset, regular file or directory are
    // what zip writers produce for module files; Go's writer leaves it unset.
    private static string? SpecialFile(ZipArchiveEntry entry)
    {
        int mode = (entry.ExternalAttributes >> 16) & 0xFFFF;
        string octal = Convert.ToString(mode, 8).PadLeft(7, '0');
        return (mode & 0xF000) switch
        {
            0 or 0x8000 or 0x4000 => null,
            0xA000 => $"entry is a symbolic link (Unix mode {octal})",
            _ => $"entry is not a regular file (Unix mode {octal})",
        };
    }

    // Go's running total of declared sizes: an entry that does not fit is not counted, and not read;
    // the zip-level violation is reported once.
    private bool Budget(long declared)
    {
        if (declared >= 0 && ModuleZipRules.MaxZipFile - budgeted >= declared)
        {
            budgeted += declared;
            return true;
        }
        if (!budgetExceeded)
        {
            budgetExceeded = true;
            violations.Add(new ZipViolation("", $"total uncompressed size of module contents too large (max size is {ModuleZipRules.MaxZipFile} bytes)"));
        }
        return false;
    }
}
