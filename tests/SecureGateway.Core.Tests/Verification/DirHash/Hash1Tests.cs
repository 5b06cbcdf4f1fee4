using System.IO.Compression;
using System.Text;
using SecureGateway.Verification.DirHash;

namespace SecureGateway.Core.Tests.Verification.DirHash;

public sealed class Hash1Tests : IDisposable
{
    private readonly TempFiles files = new();

    public void Dispose() => files.Dispose();

    // Vectors from docs/go-module-protocols.md; both agree with Go's dirhash.Hash1.
    [Theory]
    [InlineData("", "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=")]
    [InlineData("module example.com/m\n", "h1:flS2VctbRrTv+sBE+VKgxx6hlkMGPVz9MGOmzMYFg3k=")]
    [InlineData(GoCommandZip.GoMod, GoCommandZip.GoModSum)]
    public void OfGoMod_Content_GoSumHash(string goMod, string hash) =>
        Assert.Equal(hash, Hash1.OfGoMod(Encoding.UTF8.GetBytes(goMod)));

    // zip_test.go emptyHash.
    [Fact]
    public void Compute_NoFiles_GoEmptyHash() =>
        Assert.Equal("h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", Hash1.Compute([], _ => Stream.Null));

    // Expected value from Go's dirhash.Hash1 over {"\uFFFD": "a", "\U0001F600": "b"}: UTF-8 puts U+FFFD first,
    // UTF-16 ordinal order would put the emoji (a surrogate pair) first.
    [Fact]
    public void Compute_NamesAboveBmp_SortedByUtf8Bytes()
    {
        var content = new Dictionary<string, string> { ["\U0001F600"] = "b", ["\uFFFD"] = "a" };
        string hash = Hash1.Compute(content.Keys, name => new MemoryStream(Encoding.UTF8.GetBytes(content[name])));
        Assert.Equal("h1:gs28ApoSFPYrHAOWuGUecOdcLNeJMUGnZDZsfh4iMhI=", hash);
    }

    [Fact]
    public void Compute_NameWithNewline_ThrowsWithoutOpening()
    {
        bool opened = false;
        var error = Assert.Throws<ArgumentException>(() => Hash1.Compute(["a", "b\nc"], _ =>
        {
            opened = true;
            return Stream.Null;
        }));
        Assert.StartsWith("dirhash: filenames with newlines are not supported", error.Message, StringComparison.Ordinal);
        Assert.False(opened);
    }

    [Fact]
    public void Compute_UnpairedSurrogateName_Throws() =>
        Assert.ThrowsAny<ArgumentException>(() => Hash1.Compute(["a\uD800"], _ => Stream.Null));

    [Fact]
    public void OfZip_GoCommandZip_GoSum() =>
        Assert.Equal(GoCommandZip.Sum, Hash1.OfZip(files.Write(GoCommandZip.Bytes)));

    // zip_test.go TestCreateFromDirSpecial "dir_is_vendor": a zip holding only this go.mod.
    [Fact]
    public void OfZip_GoTestVector_GoHash()
    {
        byte[] zip = TestZip.Build([("example.com/m@v1.0.0/go.mod", "module example.com/m\n\ngo 1.13\n")]);
        Assert.Equal("h1:XduFAgX/GaspZa8Jv4pfzoGEzNaU/r88PiCunijw5ok=", Hash1.OfZip(files.Write(zip)));
    }

    [Fact]
    public void OfZip_NotAZip_InvalidDataException() =>
        Assert.Throws<InvalidDataException>(() => Hash1.OfZip(files.Write("not a zip"u8.ToArray())));

    [Fact]
    public void OfZip_EntryLargerThanDeclared_InvalidDataException()
    {
        byte[] zip = TestZip.Build([("m/x", new string('x', 0xBAD))], CompressionLevel.Optimal);
        TestZip.Patch(zip, [0xAD, 0x0B, 0, 0], [0xAC, 0, 0, 0]);
        Assert.Throws<InvalidDataException>(() => Hash1.OfZip(files.Write(zip)));
    }
}
