using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Protocol;

/// <summary>Malformed module paths and versions get 400 with a text reason, before upstream is asked anything.</summary>
public sealed class MalformedRequestTests : IAsyncLifetime
{
    private StaticGoProxyServer upstream = null!;
    private GatewayInstance gateway = null!;

    public async Task InitializeAsync()
    {
        upstream = StaticGoProxyServer.Start(TempDirectory.Create("empty-upstream"));
        gateway = await GatewayInstance.StartAsync(upstream.Url);
    }

    public async Task DisposeAsync()
    {
        await gateway.DisposeAsync();
        await upstream.DisposeAsync();
    }

    [Theory]
    [InlineData("/example.com/!!m/@v/list", "invalid escaped module path")]
    [InlineData("/example.com/m!/@v/list", "invalid escaped module path")]
    [InlineData("/example.com/Upper/@v/list", "invalid escaped module path")]
    [InlineData("/example.com/x/../y/@v/v1.0.0.info", "invalid path element")]
    [InlineData("/example.com/x/%2E%2E/y/@v/v1.0.0.zip", "invalid path element")]
    [InlineData("/example.com//m/@v/list", "double slash")]
    [InlineData("/example.com/.m/@v/list", "leading dot")]
    [InlineData("/-example.com/m/@v/list", "leading dash")]
    [InlineData("/example/m/@v/list", "missing dot in first path element")]
    [InlineData("/example.com/m%0A/@v/list", "invalid char")]
    [InlineData("/example.com/m/@v/v1.0.info", "not canonical")]
    [InlineData("/example.com/m/@v/v1.0.0+build.mod", "not canonical")]
    [InlineData("/example.com/m/@v/v01.0.0.zip", "not a semantic version")]
    [InlineData("/example.com/m/@v/master.info", "not a semantic version")]
    [InlineData("/example.com/m/@v/v2.0.0.zip", "should be v0 or v1")]
    [InlineData("/example.com/m/v2/@v/v1.0.0.zip", "should be v2")]
    [InlineData("/example.com/m/@v/v1.0.0!.zip", "invalid escaped version")]
    [InlineData("/example.com/m/@v/V1.0.0.zip", "invalid escaped version")]
    [InlineData("/example.com/m/@v/v1.0.0.tar", "unknown GOPROXY endpoint")]
    [InlineData("/example.com/m/@v/%ZZ.info", "not valid percent-encoded")]
    public async Task Get_MalformedPath_Returns400WithReasonAndNoUpstreamRequest(string target, string reason)
    {
        var (status, contentType, body) = await RawHttp.GetAsync(gateway.BaseUrl, target);

        Assert.Equal(400, status);
        Assert.StartsWith("text/plain", contentType, StringComparison.Ordinal);
        Assert.StartsWith("bad request: ", body, StringComparison.Ordinal);
        Assert.Contains(reason, body, StringComparison.Ordinal);
        Assert.Equal(0, upstream.TotalRequestCount);
    }

    /// <summary>Kestrel itself refuses a NUL in the path ("The path contains null characters"), with an empty 400, before any middleware.</summary>
    [Fact]
    public async Task Get_NulInPath_Returns400WithoutUpstreamRequest()
    {
        var (status, _, _) = await RawHttp.GetAsync(gateway.BaseUrl, "/example.com/m%00/@v/list");

        Assert.Equal(400, status);
        Assert.Equal(0, upstream.TotalRequestCount);
    }

    [Fact]
    public async Task Get_OverlongModulePath_Returns400()
    {
        var target = "/example.com/" + string.Join('/', Enumerable.Repeat(new string('a', 200), 6)) + "/@v/list";

        var (status, _, body) = await RawHttp.GetAsync(gateway.BaseUrl, target);

        Assert.Equal(400, status);
        Assert.Contains("too long", body, StringComparison.Ordinal);
        Assert.Equal(0, upstream.TotalRequestCount);
    }

    [Fact]
    public async Task Get_PathLongerThanKestrelsDefaultRequestLine_400WithTheGatewaysReason()
    {
        var target = "/example.com/" + string.Join('/', Enumerable.Repeat(new string('a', 200), 60)) + "/@v/list";

        var (status, _, body) = await RawHttp.GetAsync(gateway.BaseUrl, target);

        Assert.True(target.Length > 8 * 1024);
        Assert.Equal(400, status);
        Assert.StartsWith("bad request: ", body, StringComparison.Ordinal);
        Assert.Contains("too long", body, StringComparison.Ordinal);
        Assert.Equal(0, upstream.TotalRequestCount);
    }

    [Fact]
    public async Task Get_PathOutsideProtocol_Returns404()
    {
        var (status, _, body) = await RawHttp.GetAsync(gateway.BaseUrl, "/example.com/m");

        Assert.Equal(404, status);
        Assert.Contains("not a GOPROXY endpoint", body, StringComparison.Ordinal);
    }
}
