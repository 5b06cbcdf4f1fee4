using System.Text;
using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Core.Tests.Verification.ChecksumDb.Tlog;

using Tlog = SecureGateway.Verification.ChecksumDb.Tlog;

/// <summary>note_test.go TestFormatTree and TestParseTree, plus the edges of Go's ParseTree.</summary>
public sealed class TreeHeadTests
{
    private const string Golden = "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n";
    private static readonly TreeHead GoldenTree = new(123456789012, Tlog.RecordHash("hello world"u8));

    private static TreeHead Parse(string text) => TreeHead.Parse(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Format_Tree_GoldenText() => Assert.Equal(Golden, GoldenTree.Format());

    [Fact]
    public void Parse_Golden_Tree() => Assert.Equal(GoldenTree, Parse(Golden));

    [Fact]
    public void Parse_Format_RoundTrips()
    {
        var empty = new TreeHead(0, default);
        Assert.Equal(empty, Parse(empty.Format()));
        var large = new TreeHead(long.MaxValue, Tlog.RecordHash("x"u8));
        Assert.Equal(large, Parse(large.Format()));
    }

    // Junk after the hash line is ignored for forward compatibility.
    [Theory]
    [InlineData("JOE")]
    [InlineData("JOE\n")]
    [InlineData("JOE\nJOE\nJOE\n")]
    [InlineData("\n\n")]
    public void Parse_ExtraLines_Ignored(string junk) => Assert.Equal(GoldenTree, Parse(Golden + junk));

    [Fact]
    public void Parse_ThousandJunkLines_Ignored() =>
        Assert.Equal(GoldenTree, Parse(Golden + string.Concat(Enumerable.Repeat("JOE\n", 1000))));

    [Theory]
    [InlineData("not-" + Golden)]
    [InlineData("go.sum database tree\n0xabcdef\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n")]
    [InlineData("go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n")]
    [InlineData("go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=")] // two newlines only
    [InlineData("go.sum database tree v2\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n")]
    [InlineData("go.sum database tree\n0123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n")] // not canonical
    [InlineData("go.sum database tree\n+123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n")]
    [InlineData("go.sum database tree\n-1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n")]
    [InlineData("go.sum database tree\n 1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n")]
    [InlineData("go.sum database tree\n\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n")]
    [InlineData("go.sum database tree\n9223372036854775808\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n")] // overflows int64
    [InlineData("go.sum database tree\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0\n")] // unpadded
    [InlineData("go.sum database tree\n1\n\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n")]
    [InlineData("Go.sum database tree\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n")]
    public void Parse_Malformed_Throws(string text)
    {
        FormatException e = Assert.Throws<FormatException>(() => Parse(text));
        Assert.Equal("malformed tree note", e.Message);
    }

    [Fact]
    public void Parse_OverMillionBytes_Throws()
    {
        string text = Golden + new string('x', 1_000_000 - Golden.Length + 1);
        Assert.Throws<FormatException>(() => Parse(text));
        Assert.Equal(GoldenTree, Parse(Golden + new string('x', 1_000_000 - Golden.Length)));
    }

    [Fact]
    public void Parse_CarriageReturnBeforeNewline_AcceptedAsGoBase64()
    {
        // Go's base64 decoder skips '\r', so a CRLF hash line parses.
        Assert.Equal(GoldenTree, Parse(Golden.Replace("=\n", "=\r\n", StringComparison.Ordinal)));
    }

    [Fact]
    public void Parse_NonAsciiInHash_Throws() =>
        Assert.Throws<FormatException>(() => TreeHead.Parse([.. "go.sum database tree\n1\n"u8, 0xff, .. "\n"u8]));
}
