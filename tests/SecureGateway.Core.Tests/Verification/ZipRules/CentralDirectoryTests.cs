using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SecureGateway.Verification.ZipRules;
using SecureGateway.Core.Tests.Verification;

namespace SecureGateway.Core.Tests.Verification.ZipRules;

public sealed class CentralDirectoryTests : IDisposable
{
    private readonly TempFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void DeclaredEntries_RealZip_ItsCount()
    {
        using var zip = new MemoryStream(TestZip.Build([("example.com/m@v1.0.0/a.go", "package a\n"), ("example.com/m@v1.0.0/b.go", "package b\n")], CompressionLevel.Optimal));

        Assert.Equal(2, CentralDirectory.DeclaredEntries(zip));
        Assert.Equal(0, zip.Position);
    }

    [Fact]
    public void DeclaredEntries_NotAZip_Null() =>
        Assert.Null(CentralDirectory.DeclaredEntries(new MemoryStream(Encoding.ASCII.GetBytes("<html>503 from the CDN</html>"))));

    [Fact]
    public void Check_Zip64DeclaresMillionsOfEntries_RefusedBeforeTheDirectoryIsRead()
    {
        var report = ModuleZipRules.Check(files.Write(Zip64Tail(6_000_000)), "example.com/m", "v1.0.0", []);

        Assert.Equal("zip: declares 6000000 entries; the limit is 250000", Assert.Single(report.Violations).Reason);
        Assert.False(report.IsValid);
    }

    /// <summary>Only the records at a zip's end: a ZIP64 end record declaring <paramref name="entries"/>, its locator, the classic end record.</summary>
    private static byte[] Zip64Tail(long entries)
    {
        var bytes = new byte[56 + 20 + 22];
        var zip64End = bytes.AsSpan(0, 56);
        BinaryPrimitives.WriteUInt32LittleEndian(zip64End, 0x06064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(zip64End[4..], 44);
        BinaryPrimitives.WriteUInt64LittleEndian(zip64End[24..], (ulong)entries);
        BinaryPrimitives.WriteUInt64LittleEndian(zip64End[32..], (ulong)entries);
        var locator = bytes.AsSpan(56, 20);
        BinaryPrimitives.WriteUInt32LittleEndian(locator, 0x07064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(locator[8..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(locator[16..], 1);
        var end = bytes.AsSpan(76, 22);
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], 0xFFFF);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], 0xFFFF);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], 0xFFFFFFFF);
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], 0xFFFFFFFF);
        return bytes;
    }
}
