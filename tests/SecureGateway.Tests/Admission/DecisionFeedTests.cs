using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using SecureGateway.Admission;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Tests.Ledger;

namespace SecureGateway.Tests.Admission;

/// <summary>
/// A gateway that loses its notification connection keeps serving its last view, is not ready past the window, and on
/// reconnecting resynchronises: a revocation made elsewhere meanwhile is enforced as soon as it is back.
/// </summary>
public sealed class DecisionFeedTests
{
    private const string Module = "example.com/feed";

    [Fact]
    public async Task ListenConnectionKilled_NotReadyPastWindow_RevocationMissedMeanwhileEnforcedAfterResync()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        layout.AddVersion(Module, "v1.0.0", $"module {Module}\n",
            GoProxyLayout.ModuleFiles(Module, "v1.0.0", ("go.mod", $"module {Module}\n"), ("a.go", "package a\n")), DateTimeOffset.UnixEpoch);
        await using var upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        // Gateway a's feed runs on a fake clock: its window is shorter than the feed's 1 s retry, so the clock can be
        // moved past the window while a is certainly not listening, and a listens again only when the clock says.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var window = TimeSpan.FromMilliseconds(300);
        await using var a = await GatewayInstance.StartOnClockAsync(upstream.Url, time, $"--Gateway:DecisionFeedWindow={window}");
        await using var b = await GatewayInstance.StartAsync(upstream.Url, connectionString: a.ConnectionString);
        Assert.Equal(HttpStatusCode.OK, await ZipStatusAsync(a));

        await TerminateListenersAsync(a.ConnectionString);
        using (var revoke = GatewayInstance.AdminRequest("admin/revoke"))
        {
            revoke.Method = HttpMethod.Post;
            revoke.Content = JsonContent.Create(new { module = Module, version = "v1.0.0", justification = "compromised maintainer account" });
            using var revoked = await b.Http.SendAsync(revoke);
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }

        var feed = a.Services.GetRequiredService<DecisionFeed>();
        await Eventually.HoldsAsync(() => Task.FromResult(feed.LostSince is not null), "gateway a notices it is not listening");
        time.Advance(window + TimeSpan.FromMilliseconds(1));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ReadyAsync(a));
        Assert.Equal(HttpStatusCode.OK, await ZipStatusAsync(a));

        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.HoldsAsync(async () => await ZipStatusAsync(a) == HttpStatusCode.Forbidden && await ReadyAsync(a) == HttpStatusCode.OK,
            "gateway a listens again and enforces the revocation");
    }

    [Fact]
    public async Task OwnAdmissions_AppliedAsRecorded_NotReadBack_AnotherProcesssDecisionReadAndApplied()
    {
        // The announcement of a decision this process records often arrives before its recording returns; it must not
        // cost a database read per admission. A decision recorded elsewhere (here a plain insert) is read and applied.
        const int Versions = 12;
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        for (var i = 0; i < Versions; i++)
        {
            var version = $"v1.0.{i}";
            layout.AddVersion(Module, version, $"module {Module}\n",
                GoProxyLayout.ModuleFiles(Module, version, ("go.mod", $"module {Module}\n"), ("a.go", "package a\n")), DateTimeOffset.UnixEpoch);
        }

        await using var upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url);
        var feed = gateway.Services.GetRequiredService<DecisionFeed>();
        var serving = gateway.Services.GetRequiredService<ServingDecisions>();
        for (var i = 0; i < Versions; i++)
        {
            using var info = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, $"v1.0.{i}", "info").TrimStart('/'));
            Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        }

        long elsewhere;
        await using (var connection = new NpgsqlConnection(gateway.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO decisions (module, version, outcome, reasons, actor) VALUES ('{Module}', 'v1.0.0', 'denied', ARRAY['revoked elsewhere'], 'reviewer') RETURNING id",
                connection);
            elsewhere = (long)(await insert.ExecuteScalarAsync())!;
        }

        // Announcements are heard in commit order: once the later decision is applied, every admission's was handled.
        await Eventually.HoldsAsync(() => Task.FromResult(serving.Of(new(Module, "v1.0.0"))?.Id == elsewhere), "the other decision is applied");
        Assert.Equal(1, feed.ReadBack);
        await Eventually.HoldsAsync(async () =>
        {
            using var scrape = await gateway.Http.GetAsync("metrics");
            return Regex.IsMatch(await scrape.Content.ReadAsStringAsync(), @"\nsecuregateway_decisions_read_back_total(\{[^}]*\})? 1\n");
        }, "/metrics counts the one decision read back");
    }

    private static async Task TerminateListenersAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var terminate = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN decisions'", connection);
        Assert.True((long)(await terminate.ExecuteScalarAsync())! >= 2);
    }

    private static async Task<HttpStatusCode> ReadyAsync(GatewayInstance gateway)
    {
        using var response = await gateway.Http.GetAsync("readyz");
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> ZipStatusAsync(GatewayInstance gateway)
    {
        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, "v1.0.0", "zip").TrimStart('/'));
        return response.StatusCode;
    }
}
