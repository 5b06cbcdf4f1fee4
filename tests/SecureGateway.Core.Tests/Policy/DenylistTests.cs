using SecureGateway.Policy;

namespace SecureGateway.Core.Tests.Policy;

public sealed class DenylistTests
{
    private const string Text = """
        # comments and blank lines are ignored

        github.com/evil/*
        golang.org/x/crypto >=v0.25.0 <v0.31.0   # CVE window
        example.com/leftpad =v1.3.0
        example.com/range > v2.0.0 <= v2.1.0
        corp.example.com
        """;

    private static readonly Denylist List = Denylist.Parse(Text);

    [Theory]
    [InlineData("github.com/evil/pkg", "v1.0.0", 3, "github.com/evil/*")]
    [InlineData("github.com/evil/pkg/v2", "v2.3.0", 3, "github.com/evil/*")]
    [InlineData("golang.org/x/crypto", "v0.25.0", 4, "golang.org/x/crypto >=v0.25.0 <v0.31.0")]
    [InlineData("golang.org/x/crypto", "v0.30.9-rc.1", 4, "golang.org/x/crypto >=v0.25.0 <v0.31.0")]
    [InlineData("example.com/leftpad", "v1.3.0", 5, "example.com/leftpad =v1.3.0")]
    [InlineData("example.com/range", "v2.1.0", 6, "example.com/range > v2.0.0 <= v2.1.0")]
    [InlineData("golang.org/x/crypto/ssh", "v0.30.0", 4, "golang.org/x/crypto >=v0.25.0 <v0.31.0")] // prefix glob: nested modules too
    [InlineData("corp.example.com/team/tool", "v0.0.0-20240101000000-abcdef123456", 7, "corp.example.com")]
    public void Match_Matching_ReturnsLine(string path, string version, int line, string text) =>
        Assert.Equal(new DenylistMatch(line, text), List.Match(path, version));

    [Theory]
    [InlineData("github.com/evilcorp/pkg", "v1.0.0")]
    [InlineData("github.com/evil", "v1.0.0")]
    [InlineData("golang.org/x/crypto", "v0.24.9")]
    [InlineData("golang.org/x/crypto", "v0.31.0")]
    [InlineData("golang.org/x/crypto", "v0.25.0-rc.1")]
    [InlineData("example.com/leftpad", "v1.3.1")]
    [InlineData("example.com/range", "v2.0.0")]
    [InlineData("corp.example.community/x", "v1.0.0")]
    public void Match_NotMatching_ReturnsNull(string path, string version) =>
        Assert.Null(List.Match(path, version));

    [Fact]
    public void Match_FirstMatchingLineWins()
    {
        var list = Denylist.Parse("example.com/a >=v2.0.0\nexample.com/*\nexample.com/a\n");

        Assert.Equal(2, list.Match("example.com/a", "v1.0.0")?.LineNumber);
        Assert.Equal(1, list.Match("example.com/a", "v2.0.0")?.LineNumber);
    }

    [Theory]
    [InlineData("ok.example.com\ngithub.com/[evil\n", 2)]
    [InlineData("github.com/evil]\n", 1)]
    [InlineData("github.com/evil\\\n", 1)]
    [InlineData("a.com,b.com\n", 1)]
    [InlineData("\n\nexample.com/x v1.0.0\n", 3)]
    [InlineData("example.com/x >=1.0.0\n", 1)]
    [InlineData("example.com/x >=v1.0.0 <\n", 1)]
    [InlineData("example.com/x ~v1.0.0\n", 1)]
    [InlineData("example.com/x >=latest\n", 1)]
    public void Parse_BadLine_ThrowsNamingTheLine(string text, int line)
    {
        var ex = Assert.Throws<FormatException>(() => Denylist.Parse(text));

        Assert.StartsWith($"line {line}: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ShippedDenylist_HasNoActiveEntries()
    {
        var list = Denylist.Parse(File.ReadAllText(Path.Combine(PolicyFolder.Shipped, "denylist.txt")));

        Assert.Equal(0, list.Count);
    }

    [Fact]
    public void Parse_CrLfAndTabs_AreAccepted()
    {
        var list = Denylist.Parse("# x\r\nexample.com/a\t>=v1.0.0\r\n");

        Assert.Equal(new DenylistMatch(2, "example.com/a\t>=v1.0.0"), list.Match("example.com/a", "v1.2.0"));
    }
}
