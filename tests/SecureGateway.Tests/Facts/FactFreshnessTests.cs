using SecureGateway.Facts;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Tests.Policy;

namespace SecureGateway.Tests.Facts;

/// <summary>
/// An empty or old vulnerability mirror says "no vulnerabilities" as readily as a current one: the gateway tells the
/// policies how current the data is, the default policy holds new versions while it is missing or stale, and /readyz
/// reports it as degraded.
/// </summary>
public sealed class FactFreshnessTests
{
    private const string Module = "example.com/permissive";
    private static readonly DateTimeOffset LongAgo = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan SyncInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Cooldown = TimeSpan.FromHours(1);

    [Fact]
    public async Task CurrentRead_InTheClaimsRoundTrip_StaleFreshAndNeverSynced()
    {
        // An admission reads the syncs in its claim's round trip; the console and health checks read them alone
        // (CurrentAsync). Both tell a stale, a current and a never-synced source apart.
        var now = new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
        await using var facts = await FactsHarness.CreateAsync(new Dictionary<string, string?>
        {
            ["Gateway:VulnDb:Source"] = "https://vuln.example",
            ["Gateway:Index:Url"] = "https://index.example",
            ["Gateway:MaliciousPackages:Source"] = "https://malicious.example/main.tar.gz",
        }, new ManualTimeProvider(now));
        var freshness = facts.Get<FactFreshness>();
        await freshness.RecordAsync(FactFreshness.Vulnerabilities, "https://vuln.example", 42, now - TimeSpan.FromDays(3), CancellationToken.None);
        await freshness.RecordAsync(FactFreshness.Index, "https://index.example", null, now - TimeSpan.FromMinutes(20), CancellationToken.None);
        var read = freshness.CurrentRead();

        await facts.ReadAsync(read);

        var expected = await freshness.CurrentAsync(CancellationToken.None);
        Assert.Equal(expected, read.Result);
        Assert.Equal(["stale", "fresh", "never"], [read.Result.Vulnerabilities.State, read.Result.Index.State, read.Result.Malicious.State]);
        Assert.Equal((now - TimeSpan.FromDays(3), 42, 72.0), (read.Result.Vulnerabilities.SyncedAt, read.Result.Vulnerabilities.Entries, read.Result.Vulnerabilities.AgeHours));
        Assert.Equal((now - TimeSpan.FromMinutes(20), null, 0.33), (read.Result.Index.SyncedAt, read.Result.Index.Entries, read.Result.Index.AgeHours));
        Assert.Equal(("https://malicious.example/main.tar.gz", null, null), (read.Result.Malicious.Source, read.Result.Malicious.SyncedAt, read.Result.Malicious.Entries));
    }

    [Fact]
    public async Task VulnDbNeverSynced_QuarantinedNamingTheData_ReadyzDegraded_AdmittedAfterSyncAndCooldown()
    {
        await using var upstream = StaticGoProxyServer.Start(Layout().RootDirectory);
        var vulnDb = Path.Combine(TempDirectory.Create("vulndb"), "not-there-yet");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayInstance.StartOnClockAsync(upstream.Url, time,
            $"--Gateway:PolicyDir={Repository.CopyOfPolicies()}", $"--Gateway:VulnDb:Source={vulnDb}", $"--Gateway:VulnDb:Interval={SyncInterval}",
            $"--Gateway:RefusalCooldown={Cooldown}");

        using var held = await gateway.Http.GetAsync(ZipPath);
        var body = await held.Content.ReadAsStringAsync();
        using var ready = await gateway.Http.GetAsync("readyz");
        var report = await ready.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, held.StatusCode);
        Assert.StartsWith($"quarantined: vulnerabilities: vulnerability data from {vulnDb} has never been synced: cannot tell whether this version is affected", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains($"fact-data: Degraded (vulnerabilities never synced from {vulnDb}; index off; malicious off)", report, StringComparison.Ordinal);
        var quarantine = (await gateway.DecisionsAsync($"?module={Module}"))[0];
        Assert.Equal("never", quarantine.GetProperty("facts").GetProperty("freshness").GetProperty("vulnerabilities").GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.String, quarantine.GetProperty("redecideAfter").ValueKind);

        new VulnDbLayout().WriteTo(vulnDb);
        time.Advance(SyncInterval);
        await gateway.WaitForFactDataAsync();
        using (var inCooldown = await gateway.Http.GetAsync(ZipPath))
        {
            Assert.Equal(HttpStatusCode.Forbidden, inCooldown.StatusCode);
        }

        time.Advance(Cooldown);
        using var client = GoClient.Fresh(gateway.BaseUrl);
        var admitted = Assert.Single(await client.DownloadJsonAsync($"{Module}@v1.0.0"));

        Assert.True(admitted.Succeeded, admitted.Error);
        var trail = await gateway.DecisionsAsync($"?module={Module}");
        Assert.Equal(["admitted", "quarantined"], trail.Select(d => d.GetProperty("outcome").GetString()));
        var freshness = trail[0].GetProperty("facts").GetProperty("freshness").GetProperty("vulnerabilities");
        Assert.Equal("fresh", freshness.GetProperty("state").GetString());
        Assert.Equal(2, freshness.GetProperty("entries").GetInt32());
    }

    [Fact]
    public async Task VulnDbLastSyncedPastMaxAge_Quarantined_ReadyzSaysStale()
    {
        await using var upstream = StaticGoProxyServer.Start(Layout().RootDirectory);
        var vulnDb = TempDirectory.Create("vulndb");
        new VulnDbLayout().WriteTo(vulnDb);
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        string[] settings = [$"--Gateway:PolicyDir={Repository.CopyOfPolicies()}", $"--Gateway:VulnDb:Source={vulnDb}", "--Gateway:VulnDb:MaxAge=01:00:00"];
        await using (var first = await GatewayInstance.StartAsync(upstream.Url, connectionString: connectionString, extraArguments: settings))
        {
            await first.WaitForFactDataAsync();
        }

        // Another gateway on the database synced 30 hours ago, and since then the source has not answered.
        Directory.Delete(vulnDb, recursive: true);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var aged = new NpgsqlCommand("UPDATE fact_syncs SET completed_at = now() - interval '30 hours' WHERE kind = 'vulnerabilities'", connection);
            Assert.Equal(1, await aged.ExecuteNonQueryAsync());
        }

        await using var gateway = await GatewayInstance.StartAsync(upstream.Url, connectionString: connectionString, extraArguments: settings);
        using var held = await gateway.Http.GetAsync(ZipPath);
        var body = await held.Content.ReadAsStringAsync();
        var report = await gateway.Http.GetStringAsync("readyz");

        Assert.Equal(HttpStatusCode.Forbidden, held.StatusCode);
        Assert.StartsWith($"quarantined: vulnerabilities: vulnerability data from {vulnDb} last synced 30 h ago (limit 1 h)", body, StringComparison.Ordinal);
        Assert.Contains($"fact-data: Degraded (vulnerabilities stale: synced from {vulnDb} 30 h ago (limit 1 h); index off; malicious off)", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SourcesOff_FreshnessSaysOff_AdmittedAndReadyzHealthy()
    {
        await using var upstream = StaticGoProxyServer.Start(Layout().RootDirectory);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url, extraArguments: [$"--Gateway:PolicyDir={Repository.CopyOfPolicies()}"]);

        using var served = await gateway.Http.GetAsync(ZipPath);
        var report = await gateway.Http.GetStringAsync("readyz");

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("fact-data: Healthy (vulnerabilities off; index off; malicious off)", report, StringComparison.Ordinal);
        var decision = (await gateway.DecisionsAsync($"?module={Module}"))[0];
        Assert.Equal("off", decision.GetProperty("facts").GetProperty("freshness").GetProperty("vulnerabilities").GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, decision.GetProperty("redecideAfter").ValueKind);
    }

    [Fact]
    public async Task VulnDbUrlWithCredentials_FreshnessAndReadyzShowNoSecret()
    {
        await using var upstream = StaticGoProxyServer.Start(Layout().RootDirectory);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url, extraArguments:
            [$"--Gateway:PolicyDir={Repository.CopyOfPolicies()}", "--Gateway:VulnDb:Source=https://mirror:s3cret-token@127.0.0.1:1/vulndb"]);

        using var held = await gateway.Http.GetAsync(ZipPath);
        var body = await held.Content.ReadAsStringAsync();
        var report = await gateway.Http.GetStringAsync("readyz");
        var decisions = await gateway.Http.SendAsync(GatewayInstance.AdminRequest($"admin/decisions?module={Module}"));
        var recorded = await decisions.Content.ReadAsStringAsync();

        Assert.Contains("vulnerability data from https://***@127.0.0.1:1/vulndb has never been synced", body, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", body + report + recorded, StringComparison.Ordinal);
    }

    private static string ZipPath => GoProxyLayout.RequestPath(Module, "v1.0.0", "zip").TrimStart('/');

    private static GoProxyLayout Layout()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        layout.AddVersion(Module, "v1.0.0", $"module {Module}\n",
            GoProxyLayout.ModuleFiles(Module, "v1.0.0", ("go.mod", $"module {Module}\n"), ("LICENSE", PolicyAdmissionTests.MitText), ("a.go", "package a\n")), LongAgo);
        return layout;
    }
}
