using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Http;
using SecureGateway.Admin;
using SecureGateway.Tests.ChecksumDb;
using SecureGateway.Tests.Facts;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Access;

/// <summary>
/// <c>/sumdb/</c> is not an open relay: with client authentication on it needs a client token like the GOPROXY
/// endpoints, and nothing of the client's identity (credentials, cookies, proxy headers) reaches the checksum database.
/// </summary>
public sealed class ChecksumDbProxyAccessTests : IAsyncLifetime
{
    private const string Name = "sum.test.example";

    private readonly LoopbackCertificate certificate = LoopbackCertificate.Create();
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> seen = new();
    private LoopbackHttpServer database = null!;
    private StaticGoProxyServer upstream = null!;
    private GatewayInstance gateway = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        await using var keySource = TestChecksumDatabase.Start(Name);
        var key = keySource.VerifierKey;
        database = await LoopbackHttpServer.StartAsync(context =>
        {
            seen.Enqueue(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        upstream = StaticGoProxyServer.Start(TempDirectory.Create("upstream"));
        gateway = await GatewayInstance.StartAsync(upstream.Url, extraArguments:
            ["--Gateway:ClientAuth=required", $"--Gateway:SumDb={key} {database.Url}", .. certificate.KestrelArguments]);
        http = certificate.Client(gateway.BaseUrl);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await gateway.DisposeAsync();
        await upstream.DisposeAsync();
        await database.DisposeAsync();
    }

    [Theory]
    [InlineData("supported")]
    [InlineData("lookup/example.com/m@v1.0.0")]
    [InlineData("latest")]
    [InlineData("tile/8/0/000")]
    public async Task Get_NoToken_401AndNothingForwarded(string path)
    {
        using var response = await http.GetAsync($"sumdb/{Name}/{path}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("unauthorized: ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(seen);
    }

    [Fact]
    public async Task Get_AuditorToken_403()
    {
        var auditor = await gateway.CreateTokenAsync("auditor-only", Roles.Auditor);

        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"sumdb/{Name}/latest").WithBearer(auditor));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(seen);
    }

    [Fact]
    public async Task Get_ClientToken_ForwardedWithoutAnyOfTheClientsIdentity()
    {
        var client = await gateway.CreateTokenAsync("ci", Roles.Client);
        var request = new HttpRequestMessage(HttpMethod.Get, $"sumdb/{Name}/lookup/example.com/m@v1.0.0").WithBasic("ci", client);
        request.Headers.Add("Cookie", "session=secret");
        request.Headers.Add("Proxy-Authorization", "Basic c2VjcmV0OnNlY3JldA==");
        request.Headers.Add("X-Forwarded-For", "10.1.2.3");
        request.Headers.Add("Forwarded", "for=10.1.2.3");
        request.Headers.Add("X-Api-Key", "secret");
        request.Headers.UserAgent.ParseAdd("Go-http-client/1.1");

        using var response = await http.SendAsync(request);
        using var supported = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"sumdb/{Name}/supported").WithBearer(client));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, supported.StatusCode);
        var headers = Assert.Single(seen);
        foreach (var leaked in new[] { "Authorization", "Cookie", "Proxy-Authorization", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded", "X-Api-Key" })
        {
            Assert.False(headers.ContainsKey(leaked), $"{leaked} reached the checksum database: {headers.GetValueOrDefault(leaked)}");
        }

        Assert.DoesNotContain("secret", string.Join('\n', headers.Values), StringComparison.Ordinal);
        Assert.Equal("SecureGateway/1.0", headers["User-Agent"]);
    }
}
