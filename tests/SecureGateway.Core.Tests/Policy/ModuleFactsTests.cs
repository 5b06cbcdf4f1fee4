using System.Text.Json;
using SecureGateway.Policy;

namespace SecureGateway.Core.Tests.Policy;

public sealed class ModuleFactsTests
{
    [Theory]
    [InlineData("golang.org/x/text", "v0.14.0", "v0", "14", "0", "", "", false, "")]
    [InlineData("github.com/a/b/v2", "v2.1.0-rc.1", "v2", "1", "0", "-rc.1", "", false, "/v2")]
    [InlineData("gopkg.in/yaml.v3", "v3.0.1", "v3", "0", "1", "", "", false, ".v3")]
    [InlineData("github.com/a/b", "v2.0.0+incompatible", "v2", "0", "0", "", "+incompatible", false, "")]
    [InlineData("github.com/a/b", "v0.0.0-20240101120000-abcdef123456", "v0", "0", "0", "-20240101120000-abcdef123456", "", true, "")]
    [InlineData("github.com/a/b", "v1.2.4-0.20240101120000-abcdef123456", "v1", "2", "4", "-0.20240101120000-abcdef123456", "", true, "")]
    [InlineData("github.com/a/b", "latest", "", "", "", "", "", false, "")]
    public void Identify_Versions_ParsesParts(string path, string version, string major, string minor, string patch,
        string prerelease, string build, bool pseudo, string suffix)
    {
        var id = ModuleFacts.Identify(path, version);

        Assert.Equal(new ModuleIdentity
        {
            Path = path,
            Version = version,
            Major = major,
            Minor = minor,
            Patch = patch,
            Prerelease = prerelease,
            Build = build,
            IsPseudoVersion = pseudo,
            MajorSuffix = suffix,
        }, id);
    }

    [Fact]
    public void Age_Published_WinsOverInfoAndFirstSeen()
    {
        var now = Facts.Now;

        var times = ModuleFacts.Age(now, now.AddDays(-1), now.AddDays(-100), now.AddDays(-3));

        Assert.Equal(AgeSources.Index, times.AgeSource);
        Assert.Equal(3, times.AgeDays, 6);
        Assert.Equal(now, times.Now);
    }

    [Fact]
    public void Age_NoPublished_UsesInfo()
    {
        var now = Facts.Now;

        var times = ModuleFacts.Age(now, now.AddDays(-1), now.AddDays(-100), null);

        Assert.Equal(AgeSources.Info, times.AgeSource);
        Assert.Equal(100, times.AgeDays, 6);
    }

    [Fact]
    public void Age_NeitherPublishedNorInfo_UsesFirstSeen()
    {
        var now = Facts.Now;

        var times = ModuleFacts.Age(now, now.AddHours(-12), null, null);

        Assert.Equal(AgeSources.FirstSeen, times.AgeSource);
        Assert.Equal(0.5, times.AgeDays, 6);
        Assert.Null(times.Info);
        Assert.Null(times.Published);
    }

    [Fact]
    public void Age_InfoInTheFuture_IsNegative()
    {
        var now = Facts.Now;

        Assert.True(ModuleFacts.Age(now, now, now.AddDays(2), null).AgeDays < 0);
    }

    [Fact]
    public void Serialize_Facts_CamelCaseWithNulls()
    {
        var facts = Facts.Typical() with { Vulnerabilities = [new KnownVulnerability("GO-1", ["CVE-1"], "s", null)] };

        using var json = JsonDocument.Parse(PolicyJson.Serialize(facts));
        var root = json.RootElement;

        Assert.Equal(
            ["module", "times", "licences", "licenceExpression", "licenceTerms", "licencesOmitted", "zip", "checksumDb", "denylist", "vulnerabilities", "malicious", "repository", "freshness", "requestedBy"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("denylist").ValueKind);
        Assert.Equal("v1", root.GetProperty("module").GetProperty("major").GetString());
        Assert.False(root.GetProperty("module").GetProperty("isPseudoVersion").GetBoolean());
        Assert.Equal("index", root.GetProperty("times").GetProperty("ageSource").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("vulnerabilities")[0].GetProperty("fixedIn").ValueKind);
        Assert.Equal("MIT", root.GetProperty("licences")[0].GetProperty("spdx").GetString());
        Assert.Equal(23, root.GetProperty("zip").GetProperty("fileCount").GetInt32());
        Assert.Equal("verified", root.GetProperty("checksumDb").GetProperty("status").GetString());
        Assert.False(root.GetProperty("repository").GetProperty("archived").GetBoolean());
        Assert.Equal("fresh", root.GetProperty("freshness").GetProperty("vulnerabilities").GetProperty("state").GetString());
    }

    [Theory]
    [InlineData(null, null, "off")]
    [InlineData("https://vuln.go.dev", null, "never")]
    [InlineData("https://vuln.go.dev", 23.9, "fresh")]
    [InlineData("https://vuln.go.dev", 24.0, "fresh")]
    [InlineData("https://vuln.go.dev", 24.1, "stale")]
    public void SourceFreshness_State_ComesFromTheLastSyncAgainstTheLimit(string? source, double? hoursAgo, string state)
    {
        var now = Facts.Now;

        var freshness = SourceFreshness.Of(source, now - hoursAgo * TimeSpan.FromHours(1), 12, TimeSpan.FromDays(1), now);

        Assert.Equal(state, freshness.State);
        Assert.Equal(24, freshness.MaxAgeHours);
        Assert.Equal(hoursAgo is null || source is null ? null : hoursAgo, freshness.AgeHours);
    }

    [Fact]
    public void DataFreshness_MissingOrStale_IsAnySourceNeverSyncedOrPastItsLimit()
    {
        var now = Facts.Now;
        var fresh = SourceFreshness.Of("x", now, null, TimeSpan.FromHours(1), now);
        var off = SourceFreshness.Of(null, null, null, TimeSpan.FromHours(1), now);

        Assert.False(new DataFreshness(fresh, off, off).HasMissingOrStaleData());
        Assert.True(new DataFreshness(fresh, SourceFreshness.Of("x", null, null, TimeSpan.FromHours(1), now), off).HasMissingOrStaleData());
        Assert.True(new DataFreshness(fresh, off, SourceFreshness.Of("x", now.AddHours(-2), null, TimeSpan.FromHours(1), now)).HasMissingOrStaleData());
    }

    [Fact]
    public void Deserialize_Serialized_RoundTrips()
    {
        var facts = Facts.Typical() with { Denylist = new DenylistMatch(3, "github.com/evil/*") };

        var back = PolicyJson.Deserialize(PolicyJson.Serialize(facts));

        Assert.Equal(PolicyJson.Serialize(facts), PolicyJson.Serialize(back));
        Assert.Equal(facts.Module, back.Module);
        Assert.Equal(facts.Times, back.Times);
        Assert.Equal(facts.Denylist, back.Denylist);
    }

    [Fact]
    public void Example_Facts_AreTheOnesInPoliciesReadme()
    {
        var readme = File.ReadAllText(Path.Combine(PolicyFolder.Shipped, "README.md"));
        var start = readme.IndexOf("```json\n{\n  \"module\"", StringComparison.Ordinal) + "```json\n".Length;
        var example = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];

        using var documented = JsonDocument.Parse(example);
        using var actual = JsonDocument.Parse(PolicyJson.Serialize(ModuleFacts.Example(Facts.Now)));

        Assert.True(JsonElement.DeepEquals(documented.RootElement, actual.RootElement),
            PolicyJson.Serialize(ModuleFacts.Example(Facts.Now)));
    }
}
