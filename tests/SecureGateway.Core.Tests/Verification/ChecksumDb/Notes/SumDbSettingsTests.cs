using SecureGateway.Verification.ChecksumDb;
using static SecureGateway.Core.Tests.Verification.ChecksumDb.Notes.NoteVectors;

namespace SecureGateway.Core.Tests.Verification.ChecksumDb.Notes;

/// <summary>GOSUMDB as cmd/go/internal/modfetch (dbDial) reads it.</summary>
public sealed class SumDbSettingsTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sum.golang.org")]
    [InlineData(SumDbSettings.GoSumDbKey)]
    public void Parse_DefaultOrSumGolangOrg_BuiltInKeyAndUrl(string? gosumdb)
    {
        SumDbSettings settings = SumDbSettings.Parse(gosumdb);
        Assert.Equal("sum.golang.org", settings.Name);
        Assert.NotNull(settings.Verifier);
        Assert.Equal(0x033de0aeu, settings.Verifier.KeyHash);
        Assert.Equal(SumDbSettings.GoSumDbKey, settings.Verifier.KeyText);
        Assert.Equal(new Uri("https://sum.golang.org"), settings.Url);
        Assert.False(settings.Disabled);
    }

    [Fact]
    public void Parse_Off_Disabled()
    {
        SumDbSettings settings = SumDbSettings.Parse("off");
        Assert.True(settings.Disabled);
        Assert.Null(settings.Verifier);
        Assert.Null(settings.Url);
    }

    // The alias reachable from mainland China: sum.golang.org's name and key, another host.
    [Fact]
    public void Parse_ChinaAlias_BuiltInKeyAtGoogleCn()
    {
        SumDbSettings settings = SumDbSettings.Parse("sum.golang.google.cn");
        Assert.Equal("sum.golang.org", settings.Name);
        Assert.Equal(0x033de0aeu, settings.Verifier!.KeyHash);
        Assert.Equal(new Uri("https://sum.golang.google.cn"), settings.Url);
    }

    [Fact]
    public void Parse_VerifierKey_UrlFromName()
    {
        SumDbSettings settings = SumDbSettings.Parse(LocaldevVerifierKey);
        Assert.Equal(LocaldevName, settings.Name);
        Assert.Equal(0x00000c67u, settings.Verifier!.KeyHash);
        Assert.Equal(new Uri("https://localhost.localdev/sumdb"), settings.Url);
    }

    [Theory]
    [InlineData(LocaldevVerifierKey + " http://127.0.0.1:8080/sumdb", "http://127.0.0.1:8080/sumdb")]
    [InlineData("  " + LocaldevVerifierKey + "\t https://db.example/  ", "https://db.example/")]
    [InlineData("sum.golang.org https://proxy.example/sumdb/sum.golang.org", "https://proxy.example/sumdb/sum.golang.org")]
    public void Parse_KeyAndUrl_ThatUrl(string gosumdb, string url) =>
        Assert.Equal(new Uri(url), SumDbSettings.Parse(gosumdb).Url);

    [Theory]
    [InlineData(" ", "missing GOSUMDB")]
    [InlineData("a b c", "invalid GOSUMDB: too many fields")]
    [InlineData("example.com", "invalid GOSUMDB: malformed verifier id")]
    // Only the bare name is an alias; with a URL it must be a key.
    [InlineData("sum.golang.google.cn https://sum.golang.google.cn", "invalid GOSUMDB: malformed verifier id")]
    [InlineData("sum.golang.org+033de0af+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8", "invalid GOSUMDB: invalid verifier hash")]
    [InlineData("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "invalid GOSUMDB: unknown verifier algorithm")]
    [InlineData(LocaldevVerifierKey + " not-a-url", "invalid GOSUMDB URL: not-a-url")]
    public void Parse_Invalid_ThrowsGoReason(string gosumdb, string reason) =>
        Assert.Equal(reason, Assert.Throws<FormatException>(() => SumDbSettings.Parse(gosumdb)).Message);

    // Names that are valid note names but not host[/path] (Go: "no funny business in the database name").
    [Theory]
    [InlineData("example.com/")]
    [InlineData("/sumdb")]
    [InlineData("user@example.com")]
    [InlineData("example.com?x=1")]
    [InlineData("example.com#x")]
    [InlineData("example.com/a%2Fb")]
    [InlineData("example.com:port")]
    [InlineData("example.com/caf\u00e9")]
    public void Parse_NameNotHostAndPath_Throws(string name)
    {
        string key = NoteSigner.GenerateKey(name).VerifierKey;
        var error = Assert.Throws<FormatException>(() => SumDbSettings.Parse(key));
        Assert.StartsWith("invalid sumdb name (must be host[/path]): ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("example.com:8443", "https://example.com:8443/")]
    [InlineData("db.example/a/b", "https://db.example/a/b")]
    public void Parse_HostAndPathName_Accepted(string name, string url) =>
        Assert.Equal(new Uri(url), SumDbSettings.Parse(NoteSigner.GenerateKey(name).VerifierKey).Url);
}
