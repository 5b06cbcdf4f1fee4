using System.Net;
using System.Text;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Admission;

/// <summary>What the go user sees when the gateway refuses, and what upstream failures leave behind (nothing).</summary>
public sealed class RefusalTests : IAsyncLifetime
{
    private const string Evil = "example.com/evil";
    private const string Good = "example.com/good";
    private static readonly DateTimeOffset Published = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly GoProxyLayout layout = new(TempDirectory.Create("upstream"));
    private StaticGoProxyServer upstream = null!;
    private GatewayInstance gateway = null!;

    public async Task InitializeAsync()
    {
        layout.AddVersion(Evil, "v1.0.0", $"module {Evil}\n", [
            ($"{Evil}@v1.0.0/go.mod", Encoding.UTF8.GetBytes($"module {Evil}\n")),
            ($"{Evil}@v1.0.0/x/../y.go", Encoding.UTF8.GetBytes("package y\n")),
            ($"{Evil}@v1.0.0/A.go", Encoding.UTF8.GetBytes("package evil\n")),
            ($"{Evil}@v1.0.0/a.go", Encoding.UTF8.GetBytes("package evil\n")),
        ], Published);
        layout.AddVersion(Good, "v1.0.0", $"module {Good}\n",
            GoProxyLayout.ModuleFiles(Good, "v1.0.0", ("go.mod", $"module {Good}\n"), ("good.go", "package good\n")), Published);
        upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        gateway = await GatewayInstance.StartAsync(upstream.Url);
    }

    public async Task DisposeAsync()
    {
        await gateway.DisposeAsync();
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task GoModDownload_HostileZip_ShowsGatewayReasonAndRecordsDenial()
    {
        using var client = GoClient.Fresh(gateway.BaseUrl);

        var result = await client.RunAsync(null, null, "mod", "download", $"{Evil}@v1.0.0");

        Assert.False(result.Succeeded);
        var output = result.StandardError;
        Assert.Contains("403 Forbidden\n\tserver response:\n\tdenied: zip rule: file \"example.com/evil@v1.0.0/x/../y.go\": file path is not clean", output, StringComparison.Ordinal);
        Assert.Contains("\tzip rule: file \"example.com/evil@v1.0.0/a.go\": case-insensitive file name collision", output, StringComparison.Ordinal);
        var decision = Assert.Single(await gateway.DecisionsAsync($"?module={Evil}"));
        Assert.Equal("denied", decision.GetProperty("outcome").GetString());
        Assert.Contains($"(decision {decision.GetProperty("id").GetInt64()})", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_DeniedVersionAgain_RefusedFromRecordWithoutUpstream()
    {
        using var first = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Evil, "v1.0.0", "zip").TrimStart('/'));
        var requestsAfterFirst = upstream.TotalRequestCount;

        using var second = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Evil, "v1.0.0", "mod").TrimStart('/'));

        Assert.Equal(HttpStatusCode.Forbidden, first.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, second.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", second.Content.Headers.ContentType?.ToString());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(requestsAfterFirst, upstream.TotalRequestCount);
        Assert.Single(await gateway.DecisionsAsync($"?module={Evil}"));
    }

    [Fact]
    public async Task Get_UnknownVersion_Returns404AndRecordsNothing()
    {
        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Good, "v1.9.9", "info").TrimStart('/'));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("not found", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await gateway.DecisionsAsync());
    }

    [Theory]
    [InlineData("status")]
    [InlineData("truncated")]
    public async Task Get_UpstreamFailsOnZip_Returns502NothingCachedThenAdmitsOnceUpstreamRecovers(string failure)
    {
        var zipPath = GoProxyLayout.RequestPath(Good, "v1.0.0", "zip");
        if (failure == "status")
        {
            upstream.RespondWithStatus(zipPath, 500);
        }
        else
        {
            upstream.RespondTruncated(zipPath);
        }

        using var failed = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Good, "v1.0.0", "info").TrimStart('/'));

        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.StartsWith("upstream error: ", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await gateway.DecisionsAsync());
        Assert.False(Directory.Exists(Path.Combine(gateway.DataDirectory, "cache", "example.com", "good")));
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(gateway.DataDirectory, "tmp"), "*", SearchOption.AllDirectories), f => !f.EndsWith(".lock", StringComparison.Ordinal));

        upstream.ClearOverride(zipPath);
        using var admitted = await gateway.Http.GetAsync(zipPath.TrimStart('/'));

        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        Assert.Equal("admitted", Assert.Single(await gateway.DecisionsAsync()).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Get_ThirtyTwoConcurrentFirstRequests_OneUpstreamFetchOneDecision()
    {
        var zipPath = GoProxyLayout.RequestPath(Good, "v1.0.0", "zip");
        var release = new TaskCompletionSource();
        upstream.HoldUntil(zipPath, release.Task);
        string[] kinds = ["info", "mod", "zip", "zip"];

        var requests = Enumerable.Range(0, 32)
            .Select(i => gateway.Http.GetAsync(GoProxyLayout.RequestPath(Good, "v1.0.0", kinds[i % kinds.Length]).TrimStart('/')))
            .ToList();
        await upstream.WaitForRequestCountAsync(zipPath, 1);
        release.SetResult();
        var responses = await Task.WhenAll(requests);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, upstream.RequestCount(GoProxyLayout.RequestPath(Good, "v1.0.0", "info")));
        Assert.Equal(1, upstream.RequestCount(zipPath));
        Assert.Single(await gateway.DecisionsAsync($"?module={Good}"));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}
