using System.IO.Compression;
using System.Text;
using SecureGateway.Verification.DirHash;
using SecureGateway.Verification.ZipRules;

namespace SecureGateway.Core.Tests.Verification.ZipRules;

// Expected reasons are the texts Go's golang.org/x/mod/zip CheckZip printed for the same zips (Go 1.19's copy),
// except where a comment says the reason is ours.
public sealed class ModuleZipRulesTests : IDisposable
{
    private const string ModulePath = "example.com/m";
    private const string Version = "v1.0.0";
    private const string Prefix = "example.com/m@v1.0.0/";
    private const string GoMod = "module example.com/m\n";
    private const string TooLarge = "total uncompressed size of module contents too large (max size is 524288000 bytes)";

    private readonly TempFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void Check_GoCommandZip_ValidWithGoSum()
    {
        ModuleZipReport report = ModuleZipRules.Check(files.Write(GoCommandZip.Bytes), GoCommandZip.ModulePath, GoCommandZip.Version, Encoding.UTF8.GetBytes(GoCommandZip.GoMod));

        Assert.Empty(report.Violations);
        Assert.True(report.IsValid);
        Assert.Equal(GoCommandZip.Sum, report.ZipHash);
        Assert.Equal((849L, 150L, 4, true), (report.ZipSize, report.UncompressedSize, report.FileCount, report.HasGoMod));
    }

    [Fact]
    public void Check_SameFilesStored_SameHashAsGoCommand()
    {
        const string p = "example.com/hello.git@v1.0.0/";
        byte[] zip = TestZip.Build(
            [
                (p + "hello.go", "package hello\n\n// Hello greets.\nfunc Hello() string { return \"hello, world\" }\n"),
                (p + "sub/sub.go", "package sub\n"),
                (p + "go.mod", GoCommandZip.GoMod),
                (p + "LICENSE", "Example license text.\n"),
            ],
            CompressionLevel.NoCompression);

        ModuleZipReport report = ModuleZipRules.Check(files.Write(zip), GoCommandZip.ModulePath, GoCommandZip.Version, Encoding.UTF8.GetBytes(GoCommandZip.GoMod));

        Assert.Equal(GoCommandZip.Sum, report.ZipHash);
    }

    // Go's HashZip hashes directory entries too, and lists a repeated module root entry twice.
    [Theory]
    [InlineData("h1:hCzx9aGcscj7PyJKtzU7KrFXka14kRas6Z5NwDaoncg=", new[] { Prefix, Prefix + "sub/", Prefix + "sub/a.go", Prefix + "go.mod" })]
    [InlineData("h1:V5Gq00gYw5qXJqf0ZZ3imldsro0MRYfxucte5kYrjrE=", new[] { Prefix, Prefix, Prefix + "a.go" })]
    public void Check_DirectoryEntries_ValidWithGoHash(string hash, string[] names)
    {
        string path = files.Write(TestZip.Build(names.Select(name => (name, Content(name)))));

        ModuleZipReport report = ModuleZipRules.Check(path, ModulePath, Version, Encoding.UTF8.GetBytes(GoMod));

        Assert.Empty(report.Violations);
        Assert.Equal(hash, report.ZipHash);
        Assert.Equal(hash, Hash1.OfZip(path));
    }

    [Theory]
    [InlineData(Prefix + "x/../y.go", "file path is not clean")]
    [InlineData(Prefix + "./x.go", "file path is not clean")]
    [InlineData(Prefix + "x//y.go", "file path is not clean")]
    [InlineData(Prefix + "../x.go", "malformed file path \"../x.go\": invalid path element \"..\"")]
    [InlineData(Prefix + "/etc/passwd", "malformed file path \"/etc/passwd\": empty path element")]
    [InlineData("/etc/passwd", "path does not have prefix \"example.com/m@v1.0.0/\"")]
    [InlineData("other.com/m@v1.0.0/x.go", "path does not have prefix \"example.com/m@v1.0.0/\"")]
    [InlineData("example.com/m@v1.0.1/x.go", "path does not have prefix \"example.com/m@v1.0.0/\"")]
    [InlineData("example.com/!m@v1.0.0/x.go", "path does not have prefix \"example.com/m@v1.0.0/\"")]
    [InlineData("example.com/m@v1.0.0", "path does not have prefix \"example.com/m@v1.0.0/\"")]
    [InlineData(Prefix + "sub/go.mod", "go.mod file not in module root directory")]
    [InlineData(Prefix + "sub/GO.MOD", "go.mod file not in module root directory")]
    [InlineData(Prefix + "GO.MOD", "go.mod files must have lowercase names")]
    [InlineData(Prefix + "Go.Mod", "go.mod files must have lowercase names")]
    [InlineData(Prefix + "x\u0001.go", "malformed file path \"x\\x01.go\": invalid char '\\x01'")]
    [InlineData(Prefix + "x\0.go", "malformed file path \"x\\x00.go\": invalid char '\\x00'")]
    [InlineData(Prefix + "x:y.go", "malformed file path \"x:y.go\": invalid char ':'")]
    [InlineData(Prefix + "aux.go", "malformed file path \"aux.go\": \"aux\" disallowed as path element component on Windows")]
    public void Check_HostileName_OneViolation(string entryName, string reason)
    {
        ModuleZipReport report = CheckZip([(entryName, "package m\n")]);

        Assert.Equal([new ZipViolation(entryName, reason)], report.Violations);
        Assert.Null(report.ZipHash);
    }

    [Theory]
    [InlineData("A.go", "a.go", "case-insensitive file name collision: \"A.go\" and \"a.go\"")]
    [InlineData("Dir/a.go", "dir/b.go", "case-insensitive file name collision: \"Dir\" and \"dir\"")]
    [InlineData("k.go", "\u212A.go", "case-insensitive file name collision: \"k.go\" and \"\u212A.go\"")] // KELVIN SIGN
    [InlineData("x", "x/y.go", "entry \"x\" is both a file and a directory")]
    [InlineData("x/y.go", "x", "entry \"x\" is both a file and a directory")]
    [InlineData("x/y.go", "x/y.go/", "entry \"x/y.go\" is both a file and a directory")]
    [InlineData("x.go", "x.go", "multiple entries for file \"x.go\"")]
    public void Check_CollidingNames_SecondEntryViolates(string first, string second, string reason)
    {
        ModuleZipReport report = CheckZip([(Prefix + first, ""), (Prefix + second, "")]);

        Assert.Equal([new ZipViolation(Prefix + second, reason)], report.Violations);
    }

    [Fact]
    public void Check_DirectoryThenItsFile_Valid() =>
        Assert.True(CheckZip([(Prefix + "x/", ""), (Prefix + "x/y.go", "package x\n")]).IsValid);

    [Fact]
    public void Check_ManyBadEntries_AllViolationsInEntryOrder()
    {
        ModuleZipReport report = CheckZip(
        [
            (Prefix + "x/../a.go", ""), (Prefix + "A.go", ""), (Prefix + "a.go", ""), (Prefix + "sub/go.mod", ""),
            (Prefix + "GO.MOD", ""), ("other/x.go", ""), (Prefix + "ok.go", "package m\n"),
        ]);

        Assert.Equal(
            [
                new ZipViolation(Prefix + "x/../a.go", "file path is not clean"),
                new ZipViolation(Prefix + "a.go", "case-insensitive file name collision: \"A.go\" and \"a.go\""),
                new ZipViolation(Prefix + "sub/go.mod", "go.mod file not in module root directory"),
                new ZipViolation(Prefix + "GO.MOD", "go.mod files must have lowercase names"),
                new ZipViolation("other/x.go", "path does not have prefix \"example.com/m@v1.0.0/\""),
            ],
            report.Violations);
        Assert.Null(report.ZipHash);
    }

    // ZipArchive turns bytes that are not UTF-8 into U+FFFD; the rule must still see them. Go prints the raw bytes
    // ("x\xc3(.go"); our text shows the replacement character instead.
    [Fact]
    public void Check_NameNotUtf8_Violation()
    {
        byte[] zip = TestZip.Build([(Prefix + "x\u00E9.go", "package m\n")]);
        TestZip.Patch(zip, [0xC3, 0xA9], [0xC3, 0x28]);

        ModuleZipReport report = ModuleZipRules.Check(files.Write(zip), ModulePath, Version, []);

        Assert.Equal([new ZipViolation(Prefix + "x\uFFFD(.go", "malformed file path \"x\uFFFD(.go\": invalid UTF-8")], report.Violations);
    }

    [Fact]
    public void Check_PrefixNotUtf8_PrefixViolation()
    {
        byte[] zip = TestZip.Build([("example.com/\u00E9@v1.0.0/x.go", "package m\n")]);
        TestZip.Patch(zip, [0xC3, 0xA9], [0xC3, 0x28]);

        ModuleZipReport report = ModuleZipRules.Check(files.Write(zip), ModulePath, Version, []);

        Assert.Equal("path does not have prefix \"example.com/m@v1.0.0/\"", Assert.Single(report.Violations).Reason);
    }

    [Fact]
    public void Check_GoModOver16MiB_TooLargeAndNotRead()
    {
        ModuleZipReport report = CheckZip([(Prefix + "go.mod", new byte[ModuleZipRules.MaxGoMod + 1])]);

        Assert.Equal([new ZipViolation(Prefix + "go.mod", "go.mod file too large (max size is 16777216 bytes)")], report.Violations);
    }

    [Fact]
    public void Check_GoModOf16MiB_Valid()
    {
        var goMod = new byte[ModuleZipRules.MaxGoMod];
        Assert.True(CheckZip([(Prefix + "go.mod", goMod)], goMod).IsValid);
    }

    [Fact]
    public void Check_LicenseOver16MiB_TooLarge()
    {
        ModuleZipReport report = CheckZip([(Prefix + "LICENSE", new byte[ModuleZipRules.MaxLicense + 1])]);

        Assert.Equal([new ZipViolation(Prefix + "LICENSE", "LICENSE file too large (max size is 16777216 bytes)")], report.Violations);
    }

    // zip_test.go sizeLimitTests "total_too_large" (10 and MaxZipFile-9 bytes), with the large size declared only.
    [Fact]
    public void Check_DeclaredTotalOver500MiB_TooLargeAndNotRead()
    {
        byte[] zip = TestZip.Build([(Prefix + "small.go", new byte[10]), (Prefix + "large.go", new byte[0xBAD])]);
        TestZip.Patch(zip, [0xAD, 0x0B, 0, 0], BitConverter.GetBytes((uint)(ModuleZipRules.MaxZipFile - 9)));

        ModuleZipReport report = ModuleZipRules.Check(files.Write(zip), ModulePath, Version, []);

        Assert.Equal([new ZipViolation("", TooLarge)], report.Violations);
        Assert.Equal(ModuleZipRules.MaxZipFile + 1, report.UncompressedSize);
    }

    // "total_large": exactly MaxZipFile in total is allowed, so the lie about large.go is found by reading it.
    [Fact]
    public void Check_DeclaredTotalOf500MiB_AllowedThenSizeChecked()
    {
        byte[] zip = TestZip.Build([(Prefix + "small.go", new byte[10]), (Prefix + "large.go", new byte[0xBAD])]);
        TestZip.Patch(zip, [0xAD, 0x0B, 0, 0], BitConverter.GetBytes((uint)(ModuleZipRules.MaxZipFile - 10)));

        ModuleZipReport report = ModuleZipRules.Check(files.Write(zip), ModulePath, Version, []);

        Assert.Equal([new ZipViolation(Prefix + "large.go", "uncompressed size is smaller than declared size (524287990 bytes)")], report.Violations);
    }

    // zip_test.go TestUnzipSizeLimitsSpecial "size_is_a_lie": 0xBAD zero bytes declared as 0xAC.
    [Theory]
    [InlineData(CompressionLevel.Optimal)]
    [InlineData(CompressionLevel.NoCompression)]
    public void Check_InflatesBeyondDeclaredSize_LargerViolation(CompressionLevel level)
    {
        byte[] zip = TestZip.Build([(Prefix + "go.mod", new byte[0xBAD])], level);
        TestZip.SetField(zip, TestZip.UncompressedSize, 0xAC);

        ModuleZipReport report = ModuleZipRules.Check(files.Write(zip), ModulePath, Version, []);

        Assert.Equal([new ZipViolation(Prefix + "go.mod", "uncompressed size is larger than declared size (172 bytes)")], report.Violations);
    }

    [Theory]
    [InlineData(CompressionLevel.Optimal)]
    [InlineData(CompressionLevel.NoCompression)]
    public void Check_InflatesShortOfDeclaredSize_SmallerViolation(CompressionLevel level)
    {
        byte[] zip = TestZip.Build([(Prefix + "x.go", new byte[0xBAD])], level);
        TestZip.SetField(zip, TestZip.UncompressedSize, 0xBAE);

        ModuleZipReport report = ModuleZipRules.Check(files.Write(zip), ModulePath, Version, []);

        Assert.Equal([new ZipViolation(Prefix + "x.go", "uncompressed size is smaller than declared size (2990 bytes)")], report.Violations);
    }

    [Theory]
    [InlineData(CompressionLevel.Optimal)]
    [InlineData(CompressionLevel.NoCompression)]
    public void Check_WrongCrc_ChecksumViolation(CompressionLevel level)
    {
        byte[] zip = TestZip.Build([(Prefix + "x.go", "package m\n")], level);
        TestZip.SetField(zip, TestZip.Crc, TestZip.GetCrc(zip) ^ 1);

        ModuleZipReport report = ModuleZipRules.Check(files.Write(zip), ModulePath, Version, []);

        Assert.Equal([new ZipViolation(Prefix + "x.go", "zip: checksum error")], report.Violations);
    }

    // Method 9 (Deflate64) inflates in .NET but not in Go's archive/zip. Short data reads the same in both formats.
    [Fact]
    public void Check_Deflate64Entry_UnsupportedViolation()
    {
        byte[] zip = TestZip.Build([(Prefix + "x.go", "package m\n")]);
        TestZip.SetField(zip, TestZip.Method, 9, width: 2);

        ModuleZipReport report = ModuleZipRules.Check(files.Write(zip), ModulePath, Version, []);

        Assert.Equal([new ZipViolation(Prefix + "x.go", "zip: unsupported compression algorithm")], report.Violations);
    }

    // Not a Go rule: a zip of countless deep directories is refused before it exhausts memory.
    [Fact]
    public void Check_OverAMillionPaths_StopsWithOneViolation()
    {
        string deep = string.Concat(Enumerable.Repeat("a/", 32_000));
        var entries = Enumerable.Range(0, 40).Select(i => (Name: $"{Prefix}t{i}/{deep}x.go", Content: "")).ToList();

        ModuleZipReport report = CheckZip(entries);

        Assert.Equal([new ZipViolation("", "too many files and directories (limit is 1000000); zip not checked further")], report.Violations);
    }

    [Fact]
    public void Check_UnknownMethod_UnreadableViolation()
    {
        byte[] zip = TestZip.Build([(Prefix + "x.go", "package m\n")]);
        TestZip.SetField(zip, TestZip.Method, 14, width: 2); // LZMA

        ModuleZipReport report = ModuleZipRules.Check(files.Write(zip), ModulePath, Version, []);

        Assert.Equal([new ZipViolation(Prefix + "x.go", "zip: unsupported compression algorithm or corrupt entry header")], report.Violations);
    }

    [Fact]
    public void Check_CorruptLocalHeader_UnreadableViolation()
    {
        byte[] zip = TestZip.Build([(Prefix + "x.go", "package m\n")]);
        zip[3] = 9; // the local header signature

        ModuleZipReport report = ModuleZipRules.Check(files.Write(zip), ModulePath, Version, []);

        Assert.Equal([new ZipViolation(Prefix + "x.go", "zip: unsupported compression algorithm or corrupt entry header")], report.Violations);
    }

    [Fact]
    public void Check_CorruptDeflateData_CorruptViolation()
    {
        byte[] zip = TestZip.Build([(Prefix + "x.go", "package m\n")]);
        zip[TestZip.DataOffset(zip)] = 0xFF; // a final block of the reserved type 3

        ModuleZipReport report = ModuleZipRules.Check(files.Write(zip), ModulePath, Version, []);

        Assert.Equal([new ZipViolation(Prefix + "x.go", "zip: corrupt compressed data")], report.Violations);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04, 1, 2, 3 })]
    [InlineData(new byte[] { 0x3C, 0x68, 0x74, 0x6D, 0x6C, 0x3E })]
    public void Check_NotAZip_OneViolationNoException(byte[] content)
    {
        ModuleZipReport report = ModuleZipRules.Check(files.Write(content), ModulePath, Version, []);

        Assert.Equal([new ZipViolation("", "zip: not a valid zip file")], report.Violations);
        Assert.Equal(content.Length, report.ZipSize);
    }

    [Fact]
    public void Check_TruncatedZip_OneViolation()
    {
        byte[] zip = TestZip.Build([(Prefix + "x.go", "package m\n")]);

        ModuleZipReport report = ModuleZipRules.Check(files.Write(zip[..^10]), ModulePath, Version, []);

        Assert.Equal("zip: not a valid zip file", Assert.Single(report.Violations).Reason);
    }

    // Ours: the zip reader reads the central directory on first use, where a lying end record used to escape as an exception.
    [Theory]
    [InlineData(10, 1)] // entry count, one more than there are
    [InlineData(10, -1)] // entry count, one fewer
    [InlineData(16, 7)] // central directory offset
    public void Check_EndRecordMisstatesDirectory_NotAValidZip(int field, int delta)
    {
        byte[] zip = TestZip.Build([(Prefix + "go.mod", GoMod), (Prefix + "x.go", "package m\n")]);
        int at = zip.Length - 22 + field;
        uint stated = field == 10 ? BitConverter.ToUInt16(zip, at) : BitConverter.ToUInt32(zip, at);
        byte[] misstated = field == 10 ? BitConverter.GetBytes((ushort)(stated + delta)) : BitConverter.GetBytes((uint)(stated + delta));
        misstated.CopyTo(zip, at);
        if (field == 10)
        {
            misstated.CopyTo(zip, at - 2);
        }

        ModuleZipReport report = ModuleZipRules.Check(files.Write(zip), ModulePath, Version, Encoding.UTF8.GetBytes(GoMod));

        Assert.Equal([new ZipViolation("", "zip: not a valid zip file")], report.Violations);
    }

    // Ours: Go never writes a symbolic link (or any non-regular file) into a module zip; unzip tools would create it.
    [Theory]
    [InlineData(0xA1FF, "entry is a symbolic link (Unix mode 0120777)")]
    [InlineData(0x11B6, "entry is not a regular file (Unix mode 0010666)")]
    public void Check_NonRegularUnixEntry_Violation(int mode, string reason)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content, attributes) in new[] { ("go.mod", GoMod, 0x81A4), ("link", "../../etc/passwd", mode), ("dir/", "", 0x41ED) })
            {
                var entry = archive.CreateEntry(Prefix + name);
                entry.ExternalAttributes = attributes << 16;
                using var stream = entry.Open();
                stream.Write(Encoding.UTF8.GetBytes(content));
            }
        }

        ModuleZipReport report = ModuleZipRules.Check(files.Write(buffer.ToArray()), ModulePath, Version, Encoding.UTF8.GetBytes(GoMod));

        Assert.Equal([new ZipViolation(Prefix + "link", reason)], report.Violations);
    }

    // zip_test.go TestUnzipSizeLimitsSpecial "too_large_zip": the size is checked before the zip is read.
    [Fact]
    public void Check_ZipFileOver500MiB_TooLargeBeforeReading()
    {
        string path = files.Write([]);
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(ModuleZipRules.MaxZipFile + 1);
        }

        ModuleZipReport report = ModuleZipRules.Check(path, ModulePath, Version, []);

        Assert.Equal([new ZipViolation("", "module zip file is too large (524288001 bytes; limit is 524288000 bytes)")], report.Violations);
    }

    // The go.mod comparison is ours: the zip must carry the .mod file the proxy served.
    [Fact]
    public void Check_GoModDiffersFromServed_Violation()
    {
        ModuleZipReport report = CheckZip([(Prefix + "go.mod", GoMod)], "module example.com/other\n"u8.ToArray());

        Assert.Equal([new ZipViolation(Prefix + "go.mod", "go.mod does not match the module's .mod file")], report.Violations);
        Assert.True(report.HasGoMod);
        Assert.Null(report.ZipHash);
    }

    [Fact]
    public void Check_NoGoMod_ValidWithoutComparison()
    {
        ModuleZipReport report = CheckZip([(Prefix + "x.go", "package m\n")], "anything"u8.ToArray());

        Assert.True(report.IsValid);
        Assert.False(report.HasGoMod);
        Assert.NotNull(report.ZipHash);
    }

    [Theory]
    [InlineData("example.com/m", "v1.0", "version \"v1.0\" is not canonical (should be \"v1.0.0\")")]
    [InlineData("example.com/m", "v1.0.0+meta", "version \"v1.0.0+meta\" is not canonical (should be \"v1.0.0\")")]
    [InlineData("example.com/m", "v2.0.0", "example.com/m@v2.0.0: invalid version: should be v0 or v1, not v2")]
    [InlineData("Example.com/m", "v1.0.0", "malformed module path \"Example.com/m\": invalid char 'E' in first path element")]
    public void Check_BadModuleVersion_OneViolationBeforeReading(string modulePath, string version, string reason)
    {
        ModuleZipReport report = ModuleZipRules.Check(files.Write("not a zip"u8.ToArray()), modulePath, version, []);

        Assert.Equal([new ZipViolation("", reason)], report.Violations);
    }

    [Fact]
    public void Check_IncompatibleVersion_Valid()
    {
        byte[] zip = TestZip.Build([("example.com/m@v2.0.0+incompatible/x.go", "package m\n")]);

        Assert.True(ModuleZipRules.Check(files.Write(zip), ModulePath, "v2.0.0+incompatible", []).IsValid);
    }

    [Theory]
    [InlineData("", "zip: not a valid zip file", "zip: not a valid zip file")]
    [InlineData("example.com/m@v1.0.0/x", "file path is not clean", "file \"example.com/m@v1.0.0/x\": file path is not clean")]
    public void ZipViolationToString_EntryOrZip_GoStyle(string entry, string reason, string text) =>
        Assert.Equal(text, new ZipViolation(entry, reason).ToString());

    private ModuleZipReport CheckZip(IEnumerable<(string Name, string Content)> entries, byte[]? servedGoMod = null) =>
        CheckZip(entries.Select(e => (e.Name, Encoding.UTF8.GetBytes(e.Content))), servedGoMod);

    private ModuleZipReport CheckZip(IEnumerable<(string Name, byte[] Content)> entries, byte[]? servedGoMod = null) =>
        ModuleZipRules.Check(files.Write(TestZip.Build(entries)), ModulePath, Version, servedGoMod ?? Encoding.UTF8.GetBytes(GoMod));

    private static string Content(string name) =>
        name.EndsWith('/') ? "" : name.EndsWith("go.mod", StringComparison.Ordinal) ? GoMod : name.Contains("/sub/", StringComparison.Ordinal) ? "package sub\n" : "package m\n";
}
