using SecureGateway.Modules;

namespace SecureGateway.Core.Tests.Modules;

public sealed class VersionRangeTests
{
    [Theory]
    [InlineData("<v1.2.4", "v1.2.3", true)]
    [InlineData("<v1.2.4", "v1.2.4", false)]
    [InlineData("<v1.2.4", "v1.2.4-rc.1", true)]
    [InlineData("<v1.2.4", "v1.2.4-0.20240101120000-abcdef123456", true)]
    [InlineData("<v1.2.4", "v0.0.0-20200101000000-abcdef123456", true)]
    [InlineData(">=v1.0.0 <v1.2.4", "v0.9.9", false)]
    [InlineData(">=v1.0.0 <v1.2.4", "v1.0.0", true)]
    [InlineData(">=v1.0.0,<v1.2.4", "v1.2.0", true)]
    [InlineData(">= v1.0.0 < v1.2.4", "v1.1.0", true)]
    [InlineData("=v1.3.0", "v1.3.0", true)]
    [InlineData("=v1.3.0", "v1.3.1", false)]
    [InlineData(">v1.3", "v1.3.1", true)]
    [InlineData("<=v2.0.0+incompatible", "v2.0.0+incompatible", true)]
    [InlineData("", "v9.9.9", true)]
    [InlineData("<v1.2.4", "not-a-version", false)]
    public void Contains_AsGoOrdersVersions(string range, string version, bool contained) =>
        Assert.Equal(contained, VersionRange.Parse(range, out _)!.Contains(version));

    [Theory]
    [InlineData("~v1")]
    [InlineData(">=1.0.0")]
    [InlineData("v1.0.0")]
    [InlineData("<")]
    [InlineData("<v1.0.0 !v2")]
    public void Parse_NotAComparison_NamesIt(string range)
    {
        Assert.Null(VersionRange.Parse(range, out var error));
        Assert.StartsWith("bad version constraint \"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_OperatorsJoinedToTheirVersions() =>
        Assert.Equal(">=v1.0.0 <v1.2.4", VersionRange.Parse(">= v1.0.0, <v1.2.4", out _)!.ToString());
}
