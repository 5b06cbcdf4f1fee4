using System.Net;
using SecureGateway.Admin;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Access;

/// <summary>
/// <c>Gateway:ClientAuth=off</c> (the default): anyone may download, and a valid token presented names the client in the
/// download ledger; a token that does not check out names nobody and refuses nothing.
/// </summary>
public sealed class ClientAuthOffTests : IAsyncLifetime
{
    private const string Module = "example.com/openmod";
    private static readonly string[] Versions = ["v1.0.0", "v1.0.1", "v1.0.2"];

    private StaticGoProxyServer upstream = null!;
    private GatewayInstance gateway = null!;

    public async Task InitializeAsync()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        foreach (var version in Versions)
        {
            layout.AddVersion(Module, version, $"module {Module}\n",
                GoProxyLayout.ModuleFiles(Module, version, ("go.mod", $"module {Module}\n"), ("a.go", "package a\n")), DateTimeOffset.UtcNow.AddDays(-30));
        }

        upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        gateway = await GatewayInstance.StartAsync(upstream.Url);
    }

    public async Task DisposeAsync()
    {
        await gateway.DisposeAsync();
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task Get_ValidToken_LedgerNamesIt_ForgedOrNone_ServedAndNamedByAddress()
    {
        var token = await gateway.CreateTokenAsync("ci-builds", Roles.Client);

        using var named = await GetZipAsync(Versions[0], request => request.WithBearer(token));
        using var forged = await GetZipAsync(Versions[1], request => request.WithBasic("ci-builds", "sgw_forged"));
        using var anonymous = await GetZipAsync(Versions[2], _ => { });

        Assert.Equal(HttpStatusCode.OK, named.StatusCode);
        Assert.Equal(HttpStatusCode.OK, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal("ci-builds", await ConsumerAsync(Versions[0]));
        Assert.Equal("127.0.0.1", await ConsumerAsync(Versions[1]));
        Assert.Equal("127.0.0.1", await ConsumerAsync(Versions[2]));
    }

    private async Task<HttpResponseMessage> GetZipAsync(string version, Action<HttpRequestMessage> authorize)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, GoProxyLayout.RequestPath(Module, version, "zip").TrimStart('/'));
        authorize(request);
        return await gateway.Http.SendAsync(request);
    }

    /// <summary>The ledger is written a moment after serving: waits for the version's one consumer in /admin/consumers.</summary>
    private async Task<string?> ConsumerAsync(string version)
    {
        string? client = null;
        await Eventually.HoldsAsync(async () =>
        {
            var items = await gateway.Http.ConsumersAsync(Module, version);
            client = items.Count == 1 ? items[0].GetProperty("client").GetString() : null;
            return items.Count > 0;
        }, $"the ledger shows who downloaded {version}");
        return client;
    }
}
