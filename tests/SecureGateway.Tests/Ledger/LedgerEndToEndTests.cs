using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Ledger;

/// <summary>Who pulled what, through the real go command and the admin API.</summary>
public sealed class LedgerEndToEndTests
{
    private const string Module = "example.com/pulled";

    [Fact]
    public async Task GoModDownload_AnonymousClient_RecordedByAddressAndAnsweredByConsumers()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        foreach (var version in new[] { "v1.0.0", "v1.1.0" })
        {
            layout.AddVersion(Module, version, $"module {Module}\n",
                GoProxyLayout.ModuleFiles(Module, version, ("go.mod", $"module {Module}\n"), ("p.go", "package p\n")), DateTimeOffset.UtcNow.AddDays(-30));
        }

        await using var upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url);
        using (var client = GoClient.Fresh(gateway.BaseUrl))
        {
            Assert.All(await client.DownloadJsonAsync($"{Module}@v1.0.0", $"{Module}@v1.1.0"), m => Assert.True(m.Succeeded, m.Error));
        }

        using var head = await gateway.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, GoProxyLayout.RequestPath(Module, "v1.0.0", "zip").TrimStart('/')));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);

        var all = await ConsumersAsync(gateway, $"?module={Module}", expectedRows: 4);
        var consumer = Assert.Single(all);
        Assert.Equal("127.0.0.1", consumer.GetProperty("client").GetString());
        Assert.Equal(["v1.0.0", "v1.1.0"], consumer.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        Assert.Contains("zip", consumer.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
        Assert.Contains("mod", consumer.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
        Assert.StartsWith("Go-http-client/", consumer.GetProperty("userAgent").GetString(), StringComparison.Ordinal);
        Assert.True(consumer.GetProperty("firstPulled").GetDateTimeOffset() <= consumer.GetProperty("lastPulled").GetDateTimeOffset());
        var oneVersion = Assert.Single(await ConsumersAsync(gateway, $"?module={Module}&version=v1.1.0", expectedRows: 2));
        Assert.Equal(["v1.1.0"], oneVersion.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        Assert.True(oneVersion.GetProperty("count").GetInt64() < consumer.GetProperty("count").GetInt64());
    }

    /// <summary>The items of /admin/consumers once the ledger writer has written at least <paramref name="expectedRows"/> pulls.</summary>
    private static async Task<IReadOnlyList<JsonElement>> ConsumersAsync(GatewayInstance gateway, string query, int expectedRows)
    {
        IReadOnlyList<JsonElement> items = [];
        await Eventually.HoldsAsync(async () =>
        {
            using var response = await gateway.Http.SendAsync(GatewayInstance.AdminRequest($"admin/consumers{query}"));
            response.EnsureSuccessStatusCode();
            items = [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()];
            return items.Sum(i => i.GetProperty("count").GetInt64()) >= expectedRows;
        }, $"/admin/consumers{query} counts {expectedRows} pulls");
        return items;
    }
}
