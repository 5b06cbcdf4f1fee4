using System.Net;
using System.Text;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Admission;

public sealed class StoredReasonsTests
{
    private const string Module = "example.com/manyviolations";

    [Fact]
    public async Task Get_ZipBreakingARuleInEveryEntry_DecisionKeepsAHundredReasonsAndSaysHowManyWereCut()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        var entries = Enumerable.Range(0, 300).Select(i => ($"elsewhere/file{i}.go", Encoding.UTF8.GetBytes("package x\n")))
            .Append(($"{Module}@v1.0.0/go.mod", Encoding.UTF8.GetBytes($"module {Module}\n")));
        layout.AddVersion(Module, "v1.0.0", $"module {Module}\n", entries, DateTimeOffset.UnixEpoch);
        await using var upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url);

        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, "v1.0.0", "zip").TrimStart('/'));
        var reasons = Assert.Single(await gateway.DecisionsAsync()).GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToList();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(100, reasons.Count);
        Assert.StartsWith("zip rule: ", reasons[0], StringComparison.Ordinal);
        Assert.Equal("… and 201 more reasons not stored", reasons[^1]);
    }
}
