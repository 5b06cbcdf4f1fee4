using System.Net;
using System.Text;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Audit;

public sealed class DecisionPersistenceTests
{
    private const string Module = "example.com/kept";

    [Fact]
    public async Task Restart_SameDatabaseAndDataDir_DecisionsPersistAndCacheServesWithoutUpstream()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        layout.AddVersion(Module, "v1.2.3", $"module {Module}\n",
            GoProxyLayout.ModuleFiles(Module, "v1.2.3", ("go.mod", $"module {Module}\n"), ("kept.go", "package kept\n")),
            DateTimeOffset.UtcNow);
        var upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        var zipPath = GoProxyLayout.RequestPath(Module, "v1.2.3", "zip").TrimStart('/');

        string dataDirectory, connectionString;
        byte[] servedBefore;
        long decisionId;
        await using (var first = await GatewayInstance.StartAsync(upstream.Url))
        {
            servedBefore = await first.Http.GetByteArrayAsync(zipPath);
            decisionId = Assert.Single(await first.DecisionsAsync()).GetProperty("id").GetInt64();
            (dataDirectory, connectionString) = (first.DataDirectory, first.ConnectionString);
        }

        await upstream.DisposeAsync();
        await using var second = await GatewayInstance.StartAsync(upstream.Url, dataDirectory, connectionString);
        using var response = await second.Http.GetAsync(zipPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(servedBefore, await response.Content.ReadAsByteArrayAsync());
        var decision = Assert.Single(await second.DecisionsAsync());
        Assert.Equal(decisionId, decision.GetProperty("id").GetInt64());
        Assert.Equal("gateway", decision.GetProperty("actor").GetString());
    }
}
