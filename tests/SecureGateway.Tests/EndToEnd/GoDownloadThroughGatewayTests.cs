using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.EndToEnd;

/// <summary>The real go command downloads through the gateway; Go's own sums are the reference for what was recorded.</summary>
public sealed class GoDownloadThroughGatewayTests(GoModuleUniverseFixture fixture) : IClassFixture<GoModuleUniverseFixture>
{
    [Fact]
    public async Task GoModDownload_ThroughHttpUpstream_SumsMatchRecordedHashesAndCacheServesWithoutUpstream()
    {
        var universe = fixture.Universe;
        var upstream = StaticGoProxyServer.Start(universe.ProxyDirectory);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url);
        var targets = universe.Modules.Select(m => m.ToString()).ToArray();

        using (var client = GoClient.Fresh(gateway.BaseUrl))
        {
            AssertSameSums(universe, await client.DownloadJsonAsync(targets));
        }

        var decisions = await gateway.DecisionsAsync("?limit=1000");
        Assert.Equal(universe.Modules.Count, decisions.Count);
        foreach (var module in universe.Modules)
        {
            var decision = Assert.Single(decisions, d => d.GetProperty("module").GetString() == module.Path && d.GetProperty("version").GetString() == module.Version);
            Assert.Equal("admitted", decision.GetProperty("outcome").GetString());
            Assert.Equal(module.Sum, decision.GetProperty("zipHash").GetString());
            Assert.Equal(module.GoModSum, decision.GetProperty("goModHash").GetString());
            Assert.Equal(upstream.Url, decision.GetProperty("upstream").GetString());
        }

        await upstream.DisposeAsync();
        using (var offline = GoClient.Fresh(gateway.BaseUrl))
        {
            AssertSameSums(universe, await offline.DownloadJsonAsync(targets));
        }

        Assert.Equal(decisions.Count, (await gateway.DecisionsAsync("?limit=1000")).Count);
    }

    [Fact]
    public async Task GoModDownload_ThroughFileUpstream_SumsMatch()
    {
        var universe = fixture.Universe;
        await using var gateway = await GatewayInstance.StartAsync(new Uri(universe.ProxyDirectory).AbsoluteUri);
        using var client = GoClient.Fresh(gateway.BaseUrl);

        AssertSameSums(universe, await client.DownloadJsonAsync([.. universe.Modules.Select(m => m.ToString())]));
    }

    [Fact]
    public async Task GoList_ThroughGateway_ResolvesLatestFromList()
    {
        var universe = fixture.Universe;
        var upstream = StaticGoProxyServer.Start(universe.ProxyDirectory);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url);
        using var client = GoClient.Fresh(gateway.BaseUrl);

        var result = await client.RunAsync(null, null, "list", "-m", "-json", $"{GoModuleUniverse.Alpha}@latest");

        Assert.True(result.Succeeded, result.Describe());
        var highest = universe.Modules.Where(m => m.Path == GoModuleUniverse.Alpha).Select(m => m.Version).Max(StringComparer.Ordinal);
        Assert.Contains($"\"Version\": \"{highest}\"", result.StandardOutput, StringComparison.Ordinal);
        await upstream.DisposeAsync();
    }

    private static void AssertSameSums(GoModuleUniverse universe, IReadOnlyList<DownloadedModule> downloaded)
    {
        Assert.Equal(universe.Modules.Count, downloaded.Count);
        foreach (var module in downloaded)
        {
            Assert.True(module.Succeeded, $"{module}: {module.Error}");
            var reference = universe.Get(module.Path, module.Version);
            Assert.Equal(reference.Sum, module.Sum);
            Assert.Equal(reference.GoModSum, module.GoModSum);
        }
    }
}
