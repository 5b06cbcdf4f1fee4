using SecureGateway.Modules;

namespace SecureGateway.Core.Tests.Modules;

public sealed class ModuleVersionsTests
{
    // module_test.go checkTests.
    [Theory]
    [InlineData("rsc.io/quote", "0.1.0", false)]
    [InlineData("rsc io/quote", "v1.0.0", false)]
    [InlineData("github.com/go-yaml/yaml", "v0.8.0", true)]
    [InlineData("github.com/go-yaml/yaml", "v1.0.0", true)]
    [InlineData("github.com/go-yaml/yaml", "v2.0.0", false)]
    [InlineData("github.com/go-yaml/yaml", "v2.1.5", false)]
    [InlineData("github.com/go-yaml/yaml", "v3.0.0", false)]
    [InlineData("github.com/go-yaml/yaml/v2", "v1.0.0", false)]
    [InlineData("github.com/go-yaml/yaml/v2", "v2.0.0", true)]
    [InlineData("github.com/go-yaml/yaml/v2", "v2.1.5", true)]
    [InlineData("github.com/go-yaml/yaml/v2", "v3.0.0", false)]
    [InlineData("gopkg.in/yaml.v0", "v0.8.0", true)]
    [InlineData("gopkg.in/yaml.v0", "v1.0.0", false)]
    [InlineData("gopkg.in/yaml.v0", "v2.0.0", false)]
    [InlineData("gopkg.in/yaml.v0", "v2.1.5", false)]
    [InlineData("gopkg.in/yaml.v0", "v3.0.0", false)]
    [InlineData("gopkg.in/yaml.v1", "v0.8.0", false)]
    [InlineData("gopkg.in/yaml.v1", "v1.0.0", true)]
    [InlineData("gopkg.in/yaml.v1", "v2.0.0", false)]
    [InlineData("gopkg.in/yaml.v1", "v2.1.5", false)]
    [InlineData("gopkg.in/yaml.v1", "v3.0.0", false)]
    [InlineData("gopkg.in/check.v1", "v0.0.0", false)]
    [InlineData("gopkg.in/check.v1", "v0.0.0-20160102150405-abcdef123456", true)]
    [InlineData("gopkg.in/yaml.v2", "v1.0.0", false)]
    [InlineData("gopkg.in/yaml.v2", "v2.0.0", true)]
    [InlineData("gopkg.in/yaml.v2", "v2.1.5", true)]
    [InlineData("gopkg.in/yaml.v2", "v3.0.0", false)]
    [InlineData("rsc.io/quote", "v17.0.0", false)]
    [InlineData("rsc.io/quote", "v17.0.0+incompatible", true)]
    public void Check_GoTable_MatchesGo(string path, string version, bool ok) =>
        Assert.Equal(ok, ModuleVersions.Check(path, version) is null);

    // Texts as printed by Go 1.19's golang.org/x/mod module.Check.
    [Theory]
    [InlineData("rsc.io/quote", "0.1.0", "rsc.io/quote@0.1.0: invalid version: not a semantic version")]
    [InlineData("example.com/m", "v2.0.0", "example.com/m@v2.0.0: invalid version: should be v0 or v1, not v2")]
    [InlineData("github.com/go-yaml/yaml/v2", "v3.0.0", "github.com/go-yaml/yaml/v2@v3.0.0: invalid version: should be v2, not v3")]
    [InlineData("rsc io/quote", "v1.0.0", "malformed module path \"rsc io/quote\": invalid char ' '")]
    public void Check_Invalid_GoErrorText(string path, string version, string error) =>
        Assert.Equal(error, ModuleVersions.Check(path, version));

    [Theory]
    [InlineData("v1.2.3", "v1.2.3")]
    [InlineData("v1.2", "v1.2.0")]
    [InlineData("v1.0.0+meta", "v1.0.0")]
    [InlineData("v2.0.0+incompatible", "v2.0.0+incompatible")]
    [InlineData("v2+incompatible", "")]
    [InlineData("bad", "")]
    public void CanonicalVersion_Version_KeepsOnlyIncompatible(string version, string canonical) =>
        Assert.Equal(canonical, ModuleVersions.CanonicalVersion(version));

    // cmd/go/internal/modfetch pseudo_test.go pseudoTests: each version is a pseudo-version, its base is not.
    [Theory]
    [InlineData("v0.0.0-20060102150405-hash", "")]
    [InlineData("v1.0.0-20060102150405-hash", "")]
    [InlineData("v2.0.0-20060102150405-hash", "")]
    [InlineData("v0.0.1-0.20060102150405-hash", "v0.0.0")]
    [InlineData("v1.2.4-0.20060102150405-hash", "v1.2.3")]
    [InlineData("v1.2.100000000000000000-0.20060102150405-hash", "v1.2.99999999999999999")]
    [InlineData("v1.2.3-pre.0.20060102150405-hash", "v1.2.3-pre")]
    [InlineData("v1.3.0-pre.0.20060102150405-hash", "v1.3.0-pre")]
    [InlineData("v0.0.0--.0.20060102150405-hash", "v0.0.0--")]
    [InlineData("v1.0.1-0.20060102150405-hash+metadata", "v1.0.0+metadata")]
    [InlineData("v2.0.1-0.20060102150405-hash+incompatible", "v2.0.0+incompatible")]
    [InlineData("v2.3.0-pre.0.20060102150405-hash+incompatible", "v2.3.0-pre+incompatible")]
    public void IsPseudoVersion_GoTable_PseudoButNotItsBase(string pseudo, string older)
    {
        Assert.True(ModuleVersions.IsPseudoVersion(pseudo));
        Assert.False(ModuleVersions.IsPseudoVersion(older));
    }

    [Theory]
    [InlineData("v0.0.0-20060102150405-hash\n")] // Go's $ does not match before a final newline
    [InlineData("v0.0.0-2006010215040-hash")]
    [InlineData("v1.2.3-20060102150405-hash")]
    [InlineData("v1.0.0-rc1")]
    public void IsPseudoVersion_NearMiss_False(string version) =>
        Assert.False(ModuleVersions.IsPseudoVersion(version));

    [Theory]
    [InlineData("example.com/m", "v1.2.3")]
    [InlineData("example.com/m", "v2.0.0+incompatible")]
    [InlineData("example.com/m", "v0.0.0-20191109021931-daa7c04131f5")]
    [InlineData("example.com/m", "v1.2.4-0.20191109021931-daa7c04131f5")]
    [InlineData("example.com/m", "v1.2.3-pre.0.20200229235959-daa7c04131f5")]
    [InlineData("example.com/m", "v3.0.0-20191109021931-daa7c04131f5+incompatible")]
    public void CheckServable_VersionThatCanExist_Null(string path, string version) =>
        Assert.Null(ModuleVersions.CheckServable(path, version));

    [Theory]
    [InlineData("example.com/m", "v1.0.0+incompatible", "major version v1 is compatible")]
    [InlineData("example.com/m", "v0.1.0+incompatible", "major version v0 is compatible")]
    [InlineData("example.com/m/v2", "v2.0.0+incompatible", "module path includes a major version suffix")]
    [InlineData("example.com/m", "v0.0.0-20191309021931-daa7c04131f5", "invalid pseudo-version")]
    [InlineData("example.com/m", "v1.2.4-0.20190230000000-daa7c04131f5", "invalid pseudo-version")]
    [InlineData("example.com/m", "v1.2.3-pre.0.20191109250000-daa7c04131f5", "invalid pseudo-version")]
    public void CheckServable_VersionThatCannotExist_Reason(string path, string version, string reason) =>
        Assert.Contains(reason, ModuleVersions.CheckServable(path, version), StringComparison.Ordinal);

    [Fact]
    public void CheckServable_VersionLongerThanAFileName_TooLong() =>
        Assert.Contains("version too long (307 bytes escaped; limit is 255)", ModuleVersions.CheckServable("example.com/m", "v1.0.0-" + new string('a', 300)), StringComparison.Ordinal);
}
