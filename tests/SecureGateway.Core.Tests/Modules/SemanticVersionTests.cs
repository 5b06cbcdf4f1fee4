using SecureGateway.Modules;

namespace SecureGateway.Core.Tests.Modules;

// Expected values: golang.org/x/mod semver/semver_test.go. The table is in increasing precedence order.
public sealed class SemanticVersionTests
{
    private static readonly (string In, string Out)[] Versions =
    [
        ("bad", ""),
        ("v1-alpha.beta.gamma", ""),
        ("v1-pre", ""),
        ("v1+meta", ""),
        ("v1-pre+meta", ""),
        ("v1.2-pre", ""),
        ("v1.2+meta", ""),
        ("v1.2-pre+meta", ""),
        ("v1.0.0-alpha", "v1.0.0-alpha"),
        ("v1.0.0-alpha.1", "v1.0.0-alpha.1"),
        ("v1.0.0-alpha.beta", "v1.0.0-alpha.beta"),
        ("v1.0.0-beta", "v1.0.0-beta"),
        ("v1.0.0-beta.2", "v1.0.0-beta.2"),
        ("v1.0.0-beta.11", "v1.0.0-beta.11"),
        ("v1.0.0-rc.1", "v1.0.0-rc.1"),
        ("v1", "v1.0.0"),
        ("v1.0", "v1.0.0"),
        ("v1.0.0", "v1.0.0"),
        ("v1.2", "v1.2.0"),
        ("v1.2.0", "v1.2.0"),
        ("v1.2.3-456", "v1.2.3-456"),
        ("v1.2.3-456.789", "v1.2.3-456.789"),
        ("v1.2.3-456-789", "v1.2.3-456-789"),
        ("v1.2.3-456a", "v1.2.3-456a"),
        ("v1.2.3-pre", "v1.2.3-pre"),
        ("v1.2.3-pre+meta", "v1.2.3-pre"),
        ("v1.2.3-pre.1", "v1.2.3-pre.1"),
        ("v1.2.3-zzz", "v1.2.3-zzz"),
        ("v1.2.3", "v1.2.3"),
        ("v1.2.3+meta", "v1.2.3"),
        ("v1.2.3+meta-pre", "v1.2.3"),
        ("v1.2.3+meta-pre.sha.256a", "v1.2.3"),
    ];

    public static TheoryData<string, string> Table()
    {
        var data = new TheoryData<string, string>();
        foreach (var (input, canonical) in Versions)
        {
            data.Add(input, canonical);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void IsValid_GoTable_ValidWhenCanonicalExists(string input, string canonical) =>
        Assert.Equal(canonical.Length > 0, SemanticVersion.IsValid(input));

    [Theory]
    [MemberData(nameof(Table))]
    public void Canonical_GoTable_MatchesGo(string input, string canonical) =>
        Assert.Equal(canonical, SemanticVersion.Canonical(input));

    [Theory]
    [MemberData(nameof(Table))]
    public void Major_GoTable_PrefixOfCanonical(string input, string canonical)
    {
        int dot = canonical.IndexOf('.', StringComparison.Ordinal);
        Assert.Equal(dot < 0 ? "" : canonical[..dot], SemanticVersion.Major(input));
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Prerelease_GoTable_SuffixOfCanonical(string input, string canonical)
    {
        int dash = canonical.IndexOf('-', StringComparison.Ordinal);
        Assert.Equal(dash < 0 ? "" : canonical[dash..], SemanticVersion.Prerelease(input));
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Build_GoTable_SuffixOfInput(string input, string canonical)
    {
        int plus = input.IndexOf('+', StringComparison.Ordinal);
        Assert.Equal(canonical.Length == 0 || plus < 0 ? "" : input[plus..], SemanticVersion.Build(input));
    }

    [Fact]
    public void Compare_EveryPairOfGoTable_FollowsTableOrder()
    {
        for (int i = 0; i < Versions.Length; i++)
        {
            for (int j = 0; j < Versions.Length; j++)
            {
                int want = Versions[i].Out == Versions[j].Out ? 0 : i < j ? -1 : 1;
                Assert.True(want == SemanticVersion.Compare(Versions[i].In, Versions[j].In), $"Compare({Versions[i].In}, {Versions[j].In}) != {want}");
            }
        }
    }

    [Theory]
    [InlineData("v1", "v1", 0)]
    [InlineData("v2", "v1", 1)]
    [InlineData("v1", "v2", -1)]
    [InlineData("v1.19", "v1.2", 1)] // Go's extra cases, plus: numbers compare by value, not as text
    [InlineData("v10.0.0", "v9.0.0", 1)]
    [InlineData("v1.0.0-2", "v1.0.0-10", -1)]
    [InlineData("v1.0.0-x", "bad", 1)]
    public void Compare_ExplicitPairs_ExpectedSign(string v, string w, int want) =>
        Assert.Equal(want, SemanticVersion.Compare(v, w));

    [Theory]
    [InlineData("v01.0.0")]
    [InlineData("v1.0.0-01")]
    [InlineData("v1.0.0-a..b")]
    [InlineData("v1.0.0+")]
    [InlineData("v1.0.0-")]
    [InlineData("1.0.0")]
    [InlineData("v1.0.0 ")]
    [InlineData("v1.0.0-a_b")]
    public void IsValid_MalformedVersion_False(string v) => Assert.False(SemanticVersion.IsValid(v));
}
