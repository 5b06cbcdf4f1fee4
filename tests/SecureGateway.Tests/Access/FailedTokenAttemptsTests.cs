using System.Net;
using SecureGateway.Access;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Access;

/// <summary>Guessing tokens is slow: past 20 failed attempts a minute from one address, 429 with Retry-After, no lookup.</summary>
public sealed class FailedTokenAttemptsTests
{
    [Fact]
    public async Task ManyInvalidTokens_Then429OnTheGoproxyAndAdminEndpoints()
    {
        await using var upstream = StaticGoProxyServer.Start(TempDirectory.Create("upstream"));
        var certificate = LoopbackCertificate.Create();
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url, extraArguments: ["--Gateway:ClientAuth=required", .. certificate.KestrelArguments]);
        using var http = certificate.Client(gateway.BaseUrl);

        for (var i = 0; i < FailedTokenAttempts.Limit; i++)
        {
            using var guess = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "example.com/m/@v/list").WithBasic("x", $"sgw_guess{i}"));
            Assert.Equal(HttpStatusCode.Unauthorized, guess.StatusCode);
        }

        using var goproxy = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "example.com/m/@v/list").WithBasic("x", "sgw_one_more"));
        using var admin = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "admin/decisions").WithBearer(GatewayInstance.AdminToken));

        Assert.Equal(HttpStatusCode.TooManyRequests, goproxy.StatusCode);
        Assert.Equal("60", goproxy.Headers.RetryAfter?.ToString());
        Assert.StartsWith("too many requests: too many failed token attempts from this address", await goproxy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, admin.StatusCode);
        Assert.Equal(0, upstream.TotalRequestCount);
    }
}
