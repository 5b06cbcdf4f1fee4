using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Core.Tests.Verification.ChecksumDb.Tlog;

using Tlog = SecureGateway.Verification.ChecksumDb.Tlog;

public sealed class TlogHashTests
{
    private const string HelloWorld = "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=";

    [Fact]
    public void TryParse_StandardBase64_RoundTripsAndEqualsRecordHash()
    {
        Assert.True(TlogHash.TryParse(HelloWorld, out TlogHash hash));
        Assert.Equal(HelloWorld, hash.ToString());
        Assert.Equal(Tlog.RecordHash("hello world"u8), hash);
        Assert.True(hash == Tlog.RecordHash("hello world"u8));
        Assert.False(hash != Tlog.RecordHash("hello world"u8));
        Assert.Equal(Tlog.RecordHash("hello world"u8).GetHashCode(), hash.GetHashCode());
    }

    // Go's base64.StdEncoding: padding required, standard alphabet only, CR and LF skipped.
    [Theory]
    [InlineData("TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0")] // no padding
    [InlineData("TszzRgjTG6xce-z2AG31kAXYKBgQVtCSCE40HmuwBb0=")] // URL alphabet
    [InlineData("TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=")] // note_test.go: too long
    [InlineData("TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40Hmuw")] // too short
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 33 bytes
    [InlineData(" TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=")] // space
    [InlineData("TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40Hmuw\tBb0=")] // tab
    [InlineData("")]
    public void TryParse_NotBase64Of32Bytes_False(string text)
    {
        Assert.False(TlogHash.TryParse(text, out TlogHash hash));
        Assert.Equal(default, hash);
    }

    [Fact]
    public void TryParse_CarriageReturnAndNewline_SkippedAsGo()
    {
        Assert.True(TlogHash.TryParse("TszzRgjTG6xce+z2AG31\r\nkAXYKBgQVtCSCE40HmuwBb0=\r", out TlogHash hash));
        Assert.Equal(HelloWorld, hash.ToString());
    }

    [Fact]
    public void TryParse_Null_False() => Assert.False(TlogHash.TryParse(null!, out _));

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void FromBytes_WrongLength_Throws(int length) =>
        Assert.Throws<ArgumentException>(() => TlogHash.FromBytes(new byte[length]));

    [Fact]
    public void FromBytes_CopiesInput()
    {
        byte[] bytes = new byte[32];
        bytes[5] = 7;
        TlogHash hash = TlogHash.FromBytes(bytes);
        bytes[5] = 8;
        Assert.Equal(7, hash.AsSpan()[5]);
        byte[] copy = new byte[32];
        hash.CopyTo(copy);
        Assert.Equal(7, copy[5]);
    }

    [Fact]
    public void Default_AllZeroHash()
    {
        TlogHash zero = default;
        Assert.Equal(32, zero.AsSpan().Length);
        Assert.Equal(TlogHash.FromBytes(new byte[32]), zero);
        Assert.Equal("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", zero.ToString());
        Assert.NotEqual(Tlog.RecordHash([]), zero);
    }
}
