using System.Text.Json;
using SecureGateway.Policy.Vulnerabilities;

namespace SecureGateway.Core.Tests.Policy.Vulnerabilities;

public sealed class OsvMatcherTests
{
    // ---- Real entries of the Go vulnerability database (see GoVulnDbEntries for where each came from).

    [Fact]
    public void AffectedModules_EntryWithStdlib_ListsOnlyTheModule()
    {
        Assert.Equal(["golang.org/x/net"], OsvMatcher.AffectedModules(GoVulnDbEntries.Go2022_0969));
        Assert.Equal(["golang.org/x/crypto"], OsvMatcher.AffectedModules(GoVulnDbEntries.Go2022_0229));
    }

    [Fact]
    public void AffectedModules_EntryForThreeModules_ListsThemInOrder()
    {
        Assert.Equal(
            ["github.com/astaxie/beego", "github.com/beego/beego", "github.com/beego/beego/v2"],
            OsvMatcher.AffectedModules(GoVulnDbEntries.Go2022_0463));
    }

    [Fact]
    public void Match_XNetBeforePseudoVersionFix_AffectedWithFixAndAliases()
    {
        var match = OsvMatcher.Match(GoVulnDbEntries.Go2022_0969, "golang.org/x/net", "v0.0.0-20220826154423-83b083e8dc8b");

        Assert.NotNull(match);
        Assert.Equal("GO-2022-0969", match.Id);
        Assert.Equal(["CVE-2022-27664", "GHSA-69cg-p879-7622"], match.Aliases);
        Assert.Equal("v0.0.0-20220906165146-f3363e06e74c", match.FixedIn);
        // No summary in this entry: the first line of the details stands in.
        Assert.StartsWith("HTTP/2 server connections can hang forever", match.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v0.0.0-20220906165146-f3363e06e74c")] // the fix itself
    [InlineData("v0.0.0-20221004154528-8021a29435af")] // a later pseudo-version
    [InlineData("v0.1.0")]
    [InlineData("v0.33.0")]
    public void Match_XNetAtOrAfterFix_NotAffected(string version) =>
        Assert.Null(OsvMatcher.Match(GoVulnDbEntries.Go2022_0969, "golang.org/x/net", version));

    [Theory]
    [InlineData("stdlib", "v1.18.0")]
    [InlineData("toolchain", "v1.18.0")]
    [InlineData("net/http", "v1.18.0")]
    [InlineData("golang.org/x/net/http2", "v0.0.0-20220826154423-83b083e8dc8b")] // a package, not the module
    public void Match_PseudoModuleOrPackagePath_NotAffected(string module, string version) =>
        Assert.Null(OsvMatcher.Match(GoVulnDbEntries.Go2022_0969, module, version));

    [Theory]
    [InlineData("github.com/astaxie/beego", "v1.12.3", null)] // introduced "0" and never fixed
    [InlineData("github.com/beego/beego", "v1.12.0", "v1.12.9")]
    [InlineData("github.com/beego/beego", "v1.12.8", "v1.12.9")]
    [InlineData("github.com/beego/beego/v2", "v2.0.0", "v2.0.3")]
    [InlineData("github.com/beego/beego/v2", "v2.0.2", "v2.0.3")]
    [InlineData("github.com/beego/beego/v2", "v2.0.3-rc.1", "v2.0.3")] // a pre-release of the fix is before the fix
    public void Match_BeegoAffected_NamesFirstFix(string module, string version, string? fixedIn)
    {
        var match = OsvMatcher.Match(GoVulnDbEntries.Go2022_0463, module, version);

        Assert.NotNull(match);
        Assert.Equal(["CVE-2022-31259", "GHSA-qx32-f6g6-fcfr"], match.Aliases);
        Assert.Equal(fixedIn, match.FixedIn);
    }

    [Theory]
    [InlineData("github.com/beego/beego", "v1.12.9")]
    [InlineData("github.com/beego/beego", "v1.12.11")]
    [InlineData("github.com/beego/beego/v2", "v2.0.3")]
    [InlineData("github.com/beego/beego/v2", "v2.1.0")]
    [InlineData("github.com/beego/beego/v3", "v3.0.0")] // not named by the entry
    public void Match_BeegoFixedOrOtherModule_NotAffected(string module, string version) =>
        Assert.Null(OsvMatcher.Match(GoVulnDbEntries.Go2022_0463, module, version));

    [Theory]
    [InlineData("v1.11.2", null)] // before "introduced 1.12.0"
    [InlineData("v1.12.0", "v20.10.24+incompatible")]
    [InlineData("v20.10.23+incompatible", "v20.10.24+incompatible")]
    [InlineData("v20.10.24+incompatible", null)]
    [InlineData("v22.0.0+incompatible", null)] // between the two ranges
    [InlineData("v23.0.0-rc.1+incompatible", null)] // a pre-release of 23.0.0 sorts before "introduced 23.0.0"
    [InlineData("v23.0.0+incompatible", "v23.0.3+incompatible")]
    [InlineData("v23.0.2+incompatible", "v23.0.3+incompatible")]
    [InlineData("v23.0.3+incompatible", null)]
    [InlineData("v24.0.0+incompatible", null)]
    public void Match_DockerTwoRangesIncompatible_AffectedInsideEitherRange(string version, string? fixedIn)
    {
        var match = OsvMatcher.Match(GoVulnDbEntries.Go2023_1699, "github.com/docker/docker", version);
        var affected = fixedIn is not null;
        Assert.Equal(affected, match is not null);
        Assert.Equal(fixedIn, match?.FixedIn);
        if (match is not null)
        {
            Assert.Equal("Docker Swarm encrypted overlay network may be unauthenticated in github.com/docker/docker", match.Summary);
        }
    }

    [Theory]
    [InlineData("v0.0.0-20190308221718-c2843e01d9a2", true)]
    [InlineData("v0.0.0-20200115085410-6d4e4cb37c7d", true)]
    [InlineData("v0.0.0-20200124225646-8b5121be2f68", false)]
    [InlineData("v0.0.0-20200302210943-78000ba7a073", false)]
    [InlineData("v0.31.0", false)]
    public void Match_XCryptoPseudoVersions_ComparedAsPreReleases(string version, bool affected)
    {
        var match = OsvMatcher.Match(GoVulnDbEntries.Go2022_0229, "golang.org/x/crypto", version);

        Assert.Equal(affected, match is not null);
        if (affected)
        {
            Assert.Equal("v0.0.0-20200124225646-8b5121be2f68", match!.FixedIn);
        }
    }

    // The vulndb index's "fixed" for a module is the fix a version just before it is told about.
    [Theory]
    [MemberData(nameof(GoVulnDbEntries.ModulesIndexFixed), MemberType = typeof(GoVulnDbEntries))]
    public void Match_VersionBeforeIndexFix_FixedInIsIndexFixWithV(string id, string module, string indexFixed)
    {
        var match = OsvMatcher.Match(GoVulnDbEntries.ById(id), module, "v0.0.0-20000101000000-000000000000");

        Assert.Equal("v" + indexFixed, match?.FixedIn);
    }

    // ---- Edge cases of the OSV schema on small entries.

    [Theory]
    [InlineData("v0.9.0", false)]
    [InlineData("v1.0.0", true)]
    [InlineData("v1.2.0-rc.1", true)]
    [InlineData("v1.2.0", true)] // last_affected is inclusive
    [InlineData("v1.2.1-0", false)] // above last_affected, even as a pre-release of the next patch
    [InlineData("v1.2.1", false)]
    public void Match_LastAffected_InclusiveUpperBound(string version, bool affected)
    {
        var entry = Entry(Range(("introduced", "1.0.0"), ("last_affected", "1.2.0")));

        var match = OsvMatcher.Match(entry, Module, version);

        Assert.Equal(affected, match is not null);
        Assert.Null(match?.FixedIn);
    }

    [Theory]
    [InlineData("v0.9.9", false)]
    [InlineData("v1.0.0", true)]
    [InlineData("v1.0.1", true)]
    [InlineData("v1.0.2", false)]
    [InlineData("v2.0.0", false)]
    [InlineData("v3.0.0-beta.1", false)]
    [InlineData("v3.0.0", true)]
    [InlineData("v3.2.4", true)]
    [InlineData("v3.2.5", false)]
    public void Match_MultipleRangesInOneRange_EachIntervalHalfOpen(string version, bool affected)
    {
        var entry = Entry(Range(("introduced", "1.0.0"), ("fixed", "1.0.2"), ("introduced", "3.0.0"), ("fixed", "3.2.5")));

        Assert.Equal(affected, OsvMatcher.Match(entry, Module, version) is not null);
    }

    [Theory]
    [InlineData("v1.0.1", "v1.0.2")]
    [InlineData("v3.1.0", "v3.2.5")]
    public void Match_EventsOutOfOrder_SortedBeforeEvaluation(string version, string fixedIn)
    {
        var entry = Entry(Range(("fixed", "3.2.5"), ("introduced", "3.0.0"), ("fixed", "1.0.2"), ("introduced", "0")));

        Assert.Equal(fixedIn, OsvMatcher.Match(entry, Module, version)?.FixedIn);
    }

    [Fact]
    public void Match_TwoSeparateSemverRanges_AnyRangeAffects()
    {
        var entry = Entry(Range(("introduced", "0"), ("fixed", "1.4.0")), Range(("introduced", "2.0.0"), ("fixed", "2.3.1")));

        Assert.Equal("v1.4.0", OsvMatcher.Match(entry, Module, "v1.3.9")?.FixedIn);
        Assert.Equal("v2.3.1", OsvMatcher.Match(entry, Module, "v2.3.0")?.FixedIn);
        Assert.Null(OsvMatcher.Match(entry, Module, "v1.9.0"));
        Assert.Null(OsvMatcher.Match(entry, Module, "v2.3.1"));
    }

    [Theory]
    [InlineData("v2.0.0-alpha", true)]
    [InlineData("v2.0.0-rc.2", true)]
    [InlineData("v2.0.0-rc.10", false)] // numeric identifiers compare numerically: rc.10 > rc.9
    [InlineData("v2.0.0", false)]
    [InlineData("v1.9.9", false)]
    public void Match_PreReleaseBounds_SemverPrecedence(string version, bool affected)
    {
        var entry = Entry(Range(("introduced", "2.0.0-alpha"), ("fixed", "2.0.0-rc.10")));

        Assert.Equal(affected, OsvMatcher.Match(entry, Module, version) is not null);
    }

    [Theory]
    [InlineData("v1.5.0-0", true)] // "introduced 1.5.0-0" (Go's style) covers every pre-release of 1.5.0
    [InlineData("v1.5.0-beta.1", true)]
    [InlineData("v1.4.99", false)]
    public void Match_IntroducedAtLowestPreRelease_CoversPreReleases(string version, bool affected)
    {
        var entry = Entry(Range(("introduced", "1.5.0-0"), ("fixed", "1.5.3")));

        Assert.Equal(affected, OsvMatcher.Match(entry, Module, version) is not null);
    }

    [Theory]
    [InlineData("v2.1.0+incompatible", true)]
    [InlineData("v2.1.0", true)] // build metadata does not take part in precedence
    [InlineData("v2.2.0+incompatible", false)]
    public void Match_IncompatibleBounds_BuildMetadataIgnored(string version, bool affected)
    {
        var entry = Entry(Range(("introduced", "2.0.0+incompatible"), ("fixed", "2.2.0+incompatible")));

        Assert.Equal(affected, OsvMatcher.Match(entry, Module, version) is not null);
    }

    [Theory]
    [InlineData("v1.0.0", true)]
    [InlineData("v1.0.1", true)]
    [InlineData("v1.0.2", false)]
    [InlineData("v0.9.0", false)]
    public void Match_VersionsListOnly_ExactVersions(string version, bool affected)
    {
        var entry = WithItem("""{"versions": ["1.0.0", "1.0.1"]}""");

        var match = OsvMatcher.Match(entry, Module, version);

        Assert.Equal(affected, match is not null);
        Assert.Null(match?.FixedIn);
    }

    [Fact]
    public void Match_VersionsListAndRange_EitherAffects()
    {
        var entry = WithItem("""{"versions": ["0.5.0"], "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "1.1.0"}]}]}""");

        Assert.NotNull(OsvMatcher.Match(entry, Module, "v0.5.0"));
        Assert.NotNull(OsvMatcher.Match(entry, Module, "v1.0.5"));
        Assert.Null(OsvMatcher.Match(entry, Module, "v0.6.0"));
    }

    [Fact]
    public void Match_NoRangesNoVersions_EveryVersionAffected()
    {
        var entry = WithItem("{}");

        Assert.NotNull(OsvMatcher.Match(entry, Module, "v0.0.1"));
        Assert.NotNull(OsvMatcher.Match(entry, Module, "v9.9.9"));
    }

    [Fact]
    public void Match_OnlyGitRange_EveryVersionAffectedAsInGovulncheck()
    {
        var entry = WithItem("""{"ranges": [{"type": "GIT", "repo": "https://example.com/r", "events": [{"introduced": "abc"}, {"fixed": "def"}]}]}""");

        Assert.NotNull(OsvMatcher.Match(entry, Module, "v1.0.0"));
    }

    [Fact]
    public void Match_GitRangeBesideSemverRange_OnlySemverEvaluated()
    {
        var entry = WithItem("""
            {"ranges": [
              {"type": "GIT", "repo": "https://example.com/r", "events": [{"introduced": "0"}]},
              {"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}]}
            """);

        Assert.NotNull(OsvMatcher.Match(entry, Module, "v0.9.0"));
        Assert.Null(OsvMatcher.Match(entry, Module, "v1.0.0"));
    }

    [Theory]
    [InlineData("v1.5.0", true)]
    [InlineData("v2.0.0", false)] // at the limit
    [InlineData("v2.5.0", false)]
    public void Match_LimitEvent_BoundsRangeFromAbove(string version, bool affected)
    {
        var entry = Entry(Range(("introduced", "1.0.0"), ("limit", "2.0.0")));

        Assert.Equal(affected, OsvMatcher.Match(entry, Module, version) is not null);
    }

    [Fact]
    public void Match_VPrefixedOsvVersions_Tolerated()
    {
        var entry = Entry(Range(("introduced", "v1.0.0"), ("fixed", "v1.1.0")));

        Assert.Equal("v1.1.0", OsvMatcher.Match(entry, Module, "v1.0.3")?.FixedIn);
    }

    [Fact]
    public void Match_MalformedBounds_FailClosed()
    {
        // An unreadable "introduced" counts from the beginning; an unreadable "fixed" fixes nothing.
        var entry = Entry(Range(("introduced", "one.two"), ("fixed", "latest")));

        Assert.NotNull(OsvMatcher.Match(entry, Module, "v0.0.1"));
        Assert.NotNull(OsvMatcher.Match(entry, Module, "v99.0.0"));
    }

    [Fact]
    public void Match_OtherEcosystemSameName_Ignored()
    {
        var entry = $$"""
            {"id": "OSV-1", "affected": [{"package": {"ecosystem": "npm", "name": "{{Module}}"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}
            """;

        Assert.Null(OsvMatcher.Match(entry, Module, "v1.0.0"));
        Assert.Empty(OsvMatcher.AffectedModules(entry));
    }

    [Fact]
    public void Match_TwoItemsForSameModule_UnionWithEarliestFix()
    {
        var entry = $$"""
            {"id": "GO-2099-0001", "affected": [
              {"package": {"ecosystem": "Go", "name": "{{Module}}"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.8.0"}]}]},
              {"package": {"ecosystem": "Go", "name": "{{Module}}"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.2.0"}, {"fixed": "1.5.0"}]}]}]}
            """;

        Assert.Equal("v1.5.0", OsvMatcher.Match(entry, Module, "v1.3.0")?.FixedIn);
        Assert.Equal("v1.8.0", OsvMatcher.Match(entry, Module, "v1.6.0")?.FixedIn);
        Assert.Equal([Module], OsvMatcher.AffectedModules(entry));
    }

    [Fact]
    public void Match_WithdrawnEntry_NotAffected()
    {
        var entry = $$"""
            {"id": "GO-2099-0002", "withdrawn": "2024-05-01T00:00:00Z", "summary": "s",
             "affected": [{"package": {"ecosystem": "Go", "name": "{{Module}}"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}
            """;

        Assert.Null(OsvMatcher.Match(entry, Module, "v1.0.0"));
    }

    [Fact]
    public void Match_NotSemanticVersion_Throws()
    {
        Assert.Throws<ArgumentException>(() => OsvMatcher.Match(GoVulnDbEntries.Go2022_0463, "github.com/beego/beego", "1.12.0"));
        Assert.Throws<ArgumentException>(() => OsvMatcher.Match(GoVulnDbEntries.Go2022_0463, "github.com/beego/beego", "master"));
    }

    [Fact]
    public void Match_NotAnOsvEntry_ThrowsJsonException()
    {
        Assert.ThrowsAny<JsonException>(() => OsvMatcher.Match("{not json", Module, "v1.0.0"));
        Assert.ThrowsAny<JsonException>(() => OsvMatcher.Match("""{"affected": []}""", Module, "v1.0.0"));
        Assert.ThrowsAny<JsonException>(() => OsvMatcher.AffectedModules("[1,"));
    }

    private const string Module = "example.com/vulnerable";

    private static string Range(params (string Kind, string Version)[] events) =>
        $$"""{"type": "SEMVER", "events": [{{string.Join(", ", events.Select(e => $$"""{"{{e.Kind}}": "{{e.Version}}"}"""))}}]}""";

    private static string Entry(params string[] ranges) => WithItem($$"""{"ranges": [{{string.Join(", ", ranges)}}]}""");

    /// <summary>An entry whose one affected item is <paramref name="item"/> (without its package) for <see cref="Module"/>.</summary>
    private static string WithItem(string item)
    {
        var body = item.Trim()[1..^1].Trim();
        var package = $$"""{"package": {"ecosystem": "Go", "name": "{{Module}}"}{{(body.Length > 0 ? ", " + body : "")}}}""";
        return $$"""{"id": "GO-2099-0000", "summary": "test entry", "affected": [{{package}}]}""";
    }
}
