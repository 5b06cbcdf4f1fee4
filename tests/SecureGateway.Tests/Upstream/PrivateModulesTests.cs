using System.Net;
using SecureGateway.Tests.ChecksumDb;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Upstream;

/// <summary>One GOPRIVATE-style setting routes private modules to the private upstream and keeps their names from the public checksum DB.</summary>
public sealed class PrivateModulesTests
{
    private const string Private = "corp.example.com/lib";

    [Fact]
    public async Task Get_PrivateModule_FromThePrivateUpstreamOnlyAndNeverLookedUpInTheChecksumDb()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("private-upstream"));
        layout.AddVersion(Private, "v1.0.0", $"module {Private}\n",
            GoProxyLayout.ModuleFiles(Private, "v1.0.0", ("go.mod", $"module {Private}\n"), ("a.go", "package lib\n")), DateTimeOffset.UnixEpoch);
        await using var privateProxy = StaticGoProxyServer.Start(layout.RootDirectory);
        await using var publicProxy = StaticGoProxyServer.Start(TempDirectory.Create("public-upstream"));
        await using var sumdb = TestChecksumDatabase.Start();
        await using var gateway = await GatewayInstance.StartAsync(publicProxy.Url, extraArguments:
            [$"--Gateway:SumDb={sumdb.GoSumDb}", "--Gateway:Private=corp.example.com,*.internal", $"--Gateway:PrivateUpstream={privateProxy.Url}"]);

        using var list = await gateway.Http.GetAsync($"{Private}/@v/list");
        using var zip = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Private, "v1.0.0", "zip").TrimStart('/'));

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal("v1.0.0\n", await list.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, zip.StatusCode);
        Assert.Equal(0, publicProxy.TotalRequestCount);
        Assert.Equal(0, sumdb.TotalRequests);
        var decision = Assert.Single(await gateway.DecisionsAsync());
        Assert.Contains("not in checksum DB: private pattern corp.example.com", decision.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(privateProxy.Url, decision.GetProperty("upstream").GetString());
    }

    [Fact]
    public async Task Serve_PrivateWithoutPrivateUpstream_ConfigurationErrorRatherThanThePublicProxy()
    {
        var (exit, _, stderr) = await GatewayCli.RunAsync("migrate", "--Gateway:Private=corp.example.com");

        Assert.Equal(1, exit);
        Assert.Contains("Gateway:Private needs Gateway:PrivateUpstream", stderr, StringComparison.Ordinal);
    }
}
