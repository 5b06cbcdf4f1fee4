using System.IO.Compression;
using FsCheck.Fluent;
using SecureGateway.Verification.DirHash;
using SecureGateway.Verification.ZipRules;
using static SecureGateway.Fuzz.PropertyFailedException;

namespace SecureGateway.Fuzz.Targets;

/// <summary>The module zip checker over valid, hostile and broken zips.</summary>
internal static class ModuleZipTarget
{
    public static readonly FuzzTarget Zip = FuzzTarget.Create(
        "zip",
        "ModuleZipRules.Check never throws on any bytes; a zip it accepts has only clean, distinct names under the prefix, re-checks to the same h1 and hashes alike with Hash1.OfZip; a zip built valid is accepted with the h1 of its files; a rule-breaking name is always refused",
        ModuleZips.Inputs,
        Check,
        input => $"{input.Plan}: {Printable.Bytes(input.Zip)}");

    public static readonly FuzzTarget Bytes = FuzzTarget.Create(
        "zip-bytes",
        "ModuleZipRules.Check never throws and accepts nothing on arbitrary bytes, with or without a zip's signatures",
        from length in Gen.Sized(size => Gen.Choose(0, size * 20))
        from bytes in Gen.ArrayOf(Gen.Frequency((8, Gen.Choose(0, 255).Select(b => (byte)b)), (1, Gen.Elements<byte>(0x50, 0x4B, 5, 6))), length)
        select bytes,
        bytes => Require(!CheckZip(bytes).IsValid, "accepted arbitrary bytes"),
        bytes => Printable.Bytes(bytes));

    private static void Check(ZipInput input)
    {
        ModuleZipReport report = CheckZip(input.Zip);
        if (input.MustRefuse)
        {
            Require(!report.IsValid, "accepted a zip with a rule-breaking name");
        }
        if (input.Unchanged)
        {
            string expected = Hash1.Compute(input.Entries.Select(e => e.Name), name => new MemoryStream(input.Entries.Single(e => e.Name == name).Content));
            Require(report.IsValid, $"refused a valid zip: {string.Join("; ", report.Violations)}");
            Require(report.ZipHash == expected, $"h1 {report.ZipHash}, the files hash to {expected}");
        }
        if (report.IsValid)
        {
            CheckAccepted(input.Zip, report);
        }
    }

    private static void CheckAccepted(byte[] zip, ModuleZipReport report)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        // A directory may be listed again, under the same name; a file may not.
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            string name = entry.FullName;
            Require(name.StartsWith(ModuleZips.Prefix, StringComparison.Ordinal), $"accepted {Printable.Quote(name)} outside the prefix");
            string relative = name[ModuleZips.Prefix.Length..].TrimEnd('/');
            Require(relative.Length == 0 || relative.Split('/').All(e => e is not ("" or "." or "..")), $"accepted unclean {Printable.Quote(name)}");
            bool repeatedDirectory = seen.TryGetValue(relative, out string? earlier) && earlier == name && name.EndsWith('/');
            Require(repeatedDirectory || seen.TryAdd(relative, name), $"accepted {Printable.Quote(name)} beside {Printable.Quote(earlier ?? "")}");
        }
        ModuleZipReport again = CheckZip(zip);
        Require(again.IsValid && again.ZipHash == report.ZipHash, "the same zip checks differently a second time");
        Require(WithFile(zip, Hash1.OfZip) == report.ZipHash, "Hash1.OfZip disagrees with the checker's h1");
    }

    private static ModuleZipReport CheckZip(byte[] zip) =>
        WithFile(zip, path => ModuleZipRules.Check(path, ModuleZips.ModulePath, ModuleZips.Version, ModuleZips.GoMod));

    // The checker reads files, as the gateway stages every zip on disk.
    private static T WithFile<T>(byte[] content, Func<string, T> use)
    {
        string path = Path.Combine(Path.GetTempPath(), $"sg-fuzz-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}.zip");
        File.WriteAllBytes(path, content);
        try
        {
            return use(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
