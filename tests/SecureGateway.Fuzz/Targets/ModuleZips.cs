using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace SecureGateway.Fuzz.Targets;

/// <summary>A generated module zip and what the checker must say about it.</summary>
/// <param name="Entries">The entries as built, before any byte was changed.</param>
/// <param name="Unchanged">Valid by construction: no hazardous name and no byte changed.</param>
/// <param name="MustRefuse">No byte changed, and a name breaks a zip rule or go.mod differs from the served one.</param>
/// <param name="Plan">What was done, for the report.</param>
internal sealed record ZipInput(byte[] Zip, IReadOnlyList<(string Name, byte[] Content)> Entries, bool Unchanged, bool MustRefuse, string Plan);

/// <summary>
/// Module zips of example.com/m@v1.0.0 as the go command would build them, then made hostile: names that break a
/// rule (outside the prefix, unclean, duplicate, colliding in case, file and directory at once, go.mod misplaced),
/// and bytes changed in the local, central and end-of-directory headers (counts, offsets, sizes, lengths, CRCs).
/// </summary>
internal static class ModuleZips
{
    public const string ModulePath = "example.com/m";
    public const string Version = "v1.0.0";
    public const string Prefix = $"{ModulePath}@{Version}/";
    public static readonly byte[] GoMod = "module example.com/m\n"u8.ToArray();

    private static readonly string[] Directories = ["", "", "a/", "a/b/", "é/", "Dir/", "x y/"];
    private static readonly string[] Stems = ["f", "F", "é", "ß", "Σ", "LICENSE", "go", "k"];

    private static readonly string[] HazardNames =
    [
        "other.com/m@v1.0.0/x.txt", "example.com/m@v1.0.1/x.txt", "example.com/M@v1.0.0/x.txt", "x.txt",
        "/example.com/m@v1.0.0/x.txt", "example.com/m@v1.0.0", "example.com/m@v1.0.0x.txt",
        Prefix + "../x.txt", Prefix + "a/../x.txt", Prefix + "./x.txt", Prefix + "a//x.txt", Prefix + "a/./x.txt",
        Prefix + "..", Prefix + "a/..", Prefix + "/x.txt", Prefix + "a/go.mod", Prefix + "GO.MOD", Prefix + "Go.Mod",
        Prefix + "x:y.txt", Prefix + "a\\b.txt", Prefix + "x\u0001.txt", Prefix + "con.txt", Prefix + "aux",
        Prefix + "x\uD800.txt", Prefix + "x\n.txt", Prefix + "\u212Aelvin.txt", Prefix + "kelvin.txt",
    ];

    // (signature, field offset, width) of header fields worth lying in.
    private static readonly (uint Signature, int Offset, int Width)[] Fields =
    [
        (0x04034b50, 6, 2), (0x04034b50, 8, 2), (0x04034b50, 14, 4), (0x04034b50, 18, 4), (0x04034b50, 22, 4),
        (0x04034b50, 26, 2), (0x04034b50, 28, 2),
        (0x02014b50, 8, 2), (0x02014b50, 10, 2), (0x02014b50, 16, 4), (0x02014b50, 20, 4), (0x02014b50, 24, 4),
        (0x02014b50, 28, 2), (0x02014b50, 30, 2), (0x02014b50, 32, 2), (0x02014b50, 34, 2), (0x02014b50, 42, 4),
        (0x06054b50, 4, 2), (0x06054b50, 6, 2), (0x06054b50, 8, 2), (0x06054b50, 10, 2), (0x06054b50, 12, 4),
        (0x06054b50, 16, 4), (0x06054b50, 20, 2),
    ];

    private static readonly uint[] Lies = [0, 1, 2, 8, 0xFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF];

    public static readonly Gen<ZipInput> Inputs =
        from files in Gen.Sized(size => Gen.Choose(0, Math.Min(8, 1 + size / 10))).SelectMany(count => Gen.ArrayOf(File, count))
        from directoryEntries in Gen.Elements(false, true)
        from goMod in Gen.Frequency((6, Gen.Constant(GoMod)), (1, Gen.Constant(Array.Empty<byte>())), (1, Gen.Constant("module other\n"u8.ToArray())))
        from level in Gen.Elements(CompressionLevel.Optimal, CompressionLevel.NoCompression, CompressionLevel.Fastest)
        from hazard in Gen.Frequency((3, Gen.Constant(-1)), (2, Gen.Choose(0, HazardNames.Length + 3)))
        from changes in Gen.Frequency((3, Gen.Constant(Array.Empty<ByteChange>())), (4, Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(Change, n))))
        select Build(files, directoryEntries, goMod, level, hazard, changes);

    private static Gen<(string Directory, string Stem, byte[] Content)> File =>
        from directory in Gen.Elements(Directories)
        from stem in Gen.Elements(Stems)
        from content in Gen.Sized(size => Gen.Choose(0, size * 40)).SelectMany(length => Gen.Frequency(
            (2, Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), length)),
            (1, Gen.Constant(Enumerable.Repeat((byte)'a', length * 10).ToArray()))))
        select (directory, stem, content);

    private sealed record ByteChange(int Kind, int Field, uint Lie, int At, int Occurrence, byte Xor)
    {
        public override string ToString() => Kind switch
        {
            0 => $"field {Fields[Field % Fields.Length]} #{Occurrence} := {Lie:x}",
            1 => $"byte {At} ^= {Xor:x2}",
            2 => $"truncate at {At}",
            3 => $"prepend {Occurrence % 64} bytes",
            _ => $"append {Occurrence % 64} bytes",
        };
    }

    private static Gen<ByteChange> Change =>
        from kind in Gen.Frequency((6, Gen.Constant(0)), (3, Gen.Constant(1)), (1, Gen.Choose(2, 4)))
        from fieldIndex in Gen.Choose(0, Fields.Length - 1)
        from lie in Gen.Frequency((3, Gen.Elements(Lies)), (1, Gen.Choose(0, int.MaxValue).Select(v => (uint)v)))
        from at in Gen.Choose(0, int.MaxValue)
        from occurrence in Gen.Choose(0, 1000)
        from xor in Gen.Choose(1, 255)
        select new ByteChange(kind, fieldIndex, lie, at, occurrence, (byte)xor);

    private static ZipInput Build(
        (string Directory, string Stem, byte[] Content)[] files, bool directoryEntries, byte[] goMod, CompressionLevel level, int hazard, ByteChange[] changes)
    {
        var entries = new List<(string Name, byte[] Content)> { (Prefix + "go.mod", goMod) };
        if (directoryEntries)
        {
            entries.AddRange(files.Select(f => f.Directory).Where(d => d.Length > 0).Distinct().Select(d => (Prefix + d, Array.Empty<byte>())));
        }
        // A number per file keeps generated names distinct under any case folding.
        entries.AddRange(files.Select((f, i) => ($"{Prefix}{f.Directory}{f.Stem}{i}.txt", f.Content)));

        string plan = $"{entries.Count} entries, {level}";
        bool mustRefuse = !goMod.AsSpan().SequenceEqual(GoMod);
        if (hazard >= 0)
        {
            (string name, bool breaksRule) = HazardousName(entries, hazard);
            entries.Insert(entries.Count == 0 ? 0 : hazard % entries.Count, (name, "hazard"u8.ToArray()));
            mustRefuse |= breaksRule;
            plan += $", hazardous name {Printable.Quote(name)}";
        }

        byte[] zip = Write(entries, level);
        foreach (ByteChange change in changes)
        {
            zip = Apply(zip, change);
            plan += $", {change}";
        }
        // A changed byte may mend what was broken (a central directory name is what counts, as in Go), so only an
        // unchanged zip's verdict is known in advance; the accepted-zip checks hold either way.
        bool unchanged = changes.Length == 0;
        return new ZipInput(zip, entries, unchanged && hazard < 0 && !mustRefuse, unchanged && mustRefuse, plan);
    }

    // A name from the list, or a duplicate (only a file's breaks a rule), a case twin of the whole entry name (prefix included, so its prefix is
    // wrong), a file under a file, or a directory's name as a file.
    private static (string Name, bool BreaksRule) HazardousName(List<(string Name, byte[] Content)> entries, int hazard)
    {
        string existing = entries[hazard % entries.Count].Name;
        return (hazard - HazardNames.Length) switch
        {
            < 0 => (HazardNames[hazard], HazardNames[hazard] != Prefix + "kelvin.txt" && HazardNames[hazard] != Prefix + "\u212Aelvin.txt"),
            0 => (existing, !existing.EndsWith('/')),
            1 => (existing.ToUpperInvariant(), true),
            2 => (existing.TrimEnd('/') + "/x.txt", !existing.EndsWith('/')),
            _ => (existing.TrimEnd('/'), true),
        };
    }

    private static byte[] Write(IEnumerable<(string Name, byte[] Content)> entries, CompressionLevel level)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true, Encoding.UTF8))
        {
            foreach (var (name, content) in entries)
            {
                using Stream stream = zip.CreateEntry(name, level).Open();
                stream.Write(content);
            }
        }
        return buffer.ToArray();
    }

    private static byte[] Apply(byte[] zip, ByteChange change)
    {
        switch (change.Kind)
        {
            case 0:
                var (signature, offset, width) = Fields[change.Field % Fields.Length];
                int at = FindSignature(zip, signature, change.Occurrence);
                if (at >= 0 && at + offset + width <= zip.Length)
                {
                    if (width == 2)
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(at + offset), (ushort)change.Lie);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(at + offset), change.Lie);
                    }
                }
                return zip;
            case 1 when zip.Length > 0:
                zip[change.At % zip.Length] ^= change.Xor;
                return zip;
            case 2:
                return zip[..(change.At % (zip.Length + 1))];
            case 3:
                return [.. new byte[change.Occurrence % 64], .. zip];
            default:
                return [.. zip, .. Enumerable.Repeat(change.Xor, change.Occurrence % 64)];
        }
    }

    // The n'th occurrence of a header signature, counted modulo how many there are; -1 when there is none.
    private static int FindSignature(byte[] zip, uint signature, int occurrence)
    {
        var found = new List<int>();
        for (int i = 0; i + 4 <= zip.Length; i++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i)) == signature)
            {
                found.Add(i);
            }
        }
        return found.Count == 0 ? -1 : found[occurrence % found.Count];
    }
}
