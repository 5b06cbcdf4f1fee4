using System.Net;
using Microsoft.AspNetCore.Http;
using SecureGateway.Tests.Facts;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Upstream;

namespace SecureGateway.Tests.Upstream;

/// <summary>An upstream may send a fetch elsewhere by redirect, but not to plain http on another host, and never down from https.</summary>
public sealed class RedirectTests
{
    private const string Module = "example.com/redirected";

    [Theory]
    [InlineData("https://proxy.example/m/@v/v1.zip", "http://proxy.example/cdn/v1.zip", "", "downgrade")]
    [InlineData("https://proxy.example/m/@v/v1.zip", "https://proxy.example/cdn/v1.zip", "cdn.example", null)]
    [InlineData("https://proxy.example/m/@v/v1.zip", "https://evil.example/v1.zip", "", null)]
    [InlineData("https://proxy.example/m/@v/v1.zip", "https://evil.example/v1.zip", "cdn.example,*.cloudfront.net", "not in Gateway:UpstreamRedirectHosts")]
    [InlineData("https://proxy.example/m/@v/v1.zip", "https://d1.cloudfront.net/v1.zip", "cdn.example,*.cloudfront.net", null)]
    [InlineData("https://proxy.example/m/@v/v1.zip", "https://CDN.example/v1.zip", "cdn.example", null)]
    [InlineData("http://proxy.internal/m/@v/v1.zip", "http://proxy.internal/other/v1.zip", "", null)]
    [InlineData("http://proxy.internal/m/@v/v1.zip", "http://proxy.internal:8081/v1.zip", "", "plain http only to the upstream's own host")]
    [InlineData("http://proxy.internal/m/@v/v1.zip", "http://elsewhere.internal/v1.zip", "", "plain http only to the upstream's own host")]
    [InlineData("http://proxy.internal/m/@v/v1.zip", "https://cdn.example/v1.zip", "", null)]
    [InlineData("http://proxy.internal/m/@v/v1.zip", "ftp://proxy.internal/v1.zip", "", "unsupported ftp URL")]
    [InlineData("http://proxy.internal/m/@v/v1.zip", "file:///etc/passwd", "", "unsupported file URL")]
    public void Refusal_AsConfigured(string origin, string target, string hosts, string? refused)
    {
        var refusal = RedirectPolicy.From(hosts).Refusal(new Uri(origin), new Uri(origin), new Uri(target));

        if (refused is null)
        {
            Assert.Null(refusal);
        }
        else
        {
            Assert.Contains(refused, refusal, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Refusal_HttpsHopThenHttp_DowngradeEvenOnTheOwnHost() =>
        Assert.Contains("downgrade", RedirectPolicy.From("").Refusal(
            new Uri("http://proxy.internal/m/@v/v1.zip"), new Uri("https://proxy.internal/cdn/v1.zip"), new Uri("http://proxy.internal/plain/v1.zip")), StringComparison.Ordinal);

    [Fact]
    public async Task Get_ZipRedirectedToPlainHttpOnAnotherHost_502NothingDecidedThenSameHostRedirectServed()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        layout.AddVersion(Module, "v1.0.0", $"module {Module}\n",
            GoProxyLayout.ModuleFiles(Module, "v1.0.0", ("go.mod", $"module {Module}\n"), ("a.go", "package a\n")), DateTimeOffset.UnixEpoch);
        await using var files = StaticGoProxyServer.Start(layout.RootDirectory);
        var zip = GoProxyLayout.RequestPath(Module, "v1.0.0", "zip");
        var redirectTo = $"http://localhost:{files.Port}/cdn{zip}";
        await using var front = await LoopbackHttpServer.StartAsync(async context =>
        {
            var path = context.Request.Path.Value!;
            if (path == zip)
            {
                context.Response.Redirect(redirectTo);
                return;
            }

            if (path.StartsWith("/cdn/", StringComparison.Ordinal))
            {
                path = path["/cdn".Length..];
            }

            var file = Path.Combine(layout.RootDirectory, path.TrimStart('/').Replace("@v/", "@v" + Path.DirectorySeparatorChar, StringComparison.Ordinal));
            if (!File.Exists(file))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await context.Response.SendFileAsync(file);
        });
        await using var gateway = await GatewayInstance.StartAsync(front.Url);

        using var refused = await gateway.Http.GetAsync(zip.TrimStart('/'));
        var body = await refused.Content.ReadAsStringAsync();
        redirectTo = $"{front.Url}/cdn{zip}";
        using var served = await gateway.Http.GetAsync(zip.TrimStart('/'));

        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        Assert.Contains($"redirect to http://localhost:{files.Port} refused: plain http only to the upstream's own host", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("admitted", Assert.Single(await gateway.DecisionsAsync()).GetProperty("outcome").GetString());
    }
}
