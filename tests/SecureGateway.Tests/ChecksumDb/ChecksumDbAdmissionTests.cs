using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Tests.Ledger;
using SecureGateway.Verification.ChecksumDb;
using Xunit.Abstractions;

namespace SecureGateway.Tests.ChecksumDb;

/// <summary>
/// Admission against our own checksum database, which the real go command accepts (see TestChecksumDatabaseTests):
/// honest answers admit, each attack is refused with a reason and recorded, a fork stops admissions.
/// </summary>
public sealed class ChecksumDbAdmissionTests(GoModuleUniverseFixture fixture, ITestOutputHelper output)
    : IClassFixture<GoModuleUniverseFixture>, IAsyncLifetime
{
    private StaticGoProxyServer upstream = null!;
    private TestChecksumDatabase sumdb = null!;

    private GoModuleUniverse Universe => fixture.Universe;

    private DownloadedModule AlphaOld => Universe.Get(GoModuleUniverse.Alpha, "v1.0.0");

    private DownloadedModule AlphaNew => Universe.Get(GoModuleUniverse.Alpha, "v1.1.0");

    public Task InitializeAsync()
    {
        upstream = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        sumdb = TestChecksumDatabase.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await sumdb.DisposeAsync();
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task GoModDownload_ClientReachesChecksumDbOnlyThroughGateway_AllVerifiedAndEvidenceRecorded()
    {
        AddAll();
        await using var gateway = await StartGatewayAsync();
        // With only a key in GOSUMDB the go command asks its GOPROXY for /sumdb/NAME/supported first; https://NAME does not exist.
        using var client = GoClient.Fresh(gateway.BaseUrl, sumdb.VerifierKey);

        var downloaded = await client.DownloadJsonAsync([.. Universe.Modules.Select(m => m.ToString())]);

        Assert.All(downloaded, m => Assert.True(m.Succeeded, $"{m}: {m.Error}"));
        var decisions = await gateway.DecisionsAsync("?limit=1000");
        Assert.Equal(Universe.Modules.Count, decisions.Count);
        foreach (var decision in decisions)
        {
            Assert.Equal("admitted", decision.GetProperty("outcome").GetString());
            Assert.Equal(sumdb.Name, decision.GetProperty("checksumDb").GetString());
            Assert.Equal(sumdb.Size, decision.GetProperty("checksumDbTreeSize").GetInt64());
            Assert.Equal(sumdb.RecordId(decision.GetProperty("module").GetString()!, decision.GetProperty("version").GetString()!),
                decision.GetProperty("checksumDbRecordId").GetInt64());
            Assert.Equal((await sumdb.HeadAsync()).Hash.ToString(), decision.GetProperty("checksumDbTreeHash").GetString());
        }
    }

    [Fact]
    public async Task GoModDownload_ClientAlsoReachesChecksumDbDirectly_Succeeds()
    {
        AddAll();
        await using var gateway = await StartGatewayAsync();
        using var client = GoClient.Fresh(gateway.BaseUrl, sumdb.GoSumDb);

        var downloaded = await client.DownloadJsonAsync([.. Universe.Modules.Select(m => m.ToString())]);

        Assert.All(downloaded, m => Assert.True(m.Succeeded, $"{m}: {m.Error}"));
    }

    [Fact]
    public async Task SumdbSupported_OnlyConfiguredName_200()
    {
        await using var gateway = await StartGatewayAsync();

        using var supported = await gateway.Http.GetAsync($"sumdb/{sumdb.Name}/supported");
        using var other = await gateway.Http.GetAsync("sumdb/sum.golang.org/supported");

        Assert.Equal(HttpStatusCode.OK, supported.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task GoModDownload_ZipHashDiffersFromRecord_GoUserSeesMismatchAndDenialRecorded()
    {
        const string forged = "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        sumdb.AddModule(AlphaOld.Path, AlphaOld.Version, forged, AlphaOld.GoModSum);
        await using var gateway = await StartGatewayAsync();
        using var client = GoClient.Fresh(gateway.BaseUrl, "off");

        var result = await client.RunAsync(null, null, "mod", "download", AlphaOld.ToString());

        Assert.False(result.Succeeded);
        Assert.Contains($"403 Forbidden\n\tserver response: denied: checksum mismatch: zip {AlphaOld.Sum} upstream vs {forged} in {sumdb.Name} (decision ", result.StandardError, StringComparison.Ordinal);
        Assert.Equal("denied", Assert.Single(await gateway.DecisionsAsync()).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Get_GoModHashDiffersFromRecord_Denied()
    {
        sumdb.AddModule(AlphaOld.Path, AlphaOld.Version, AlphaOld.Sum, "h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=");
        await using var gateway = await StartGatewayAsync();

        var (status, body) = await GetZipAsync(gateway, AlphaOld);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains($"checksum mismatch: go.mod {AlphaOld.GoModSum} upstream vs h1:BBBB", body, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Attacks => new()
    {
        { "other-key", "signed tree head does not verify" },
        { "wrong-key-hash", "signed tree head does not verify" },
        { "corrupt-tile", "downloaded inconsistent tile" },
        { "record-override", "is not proven in tree" },
        { "unknown-module", "not in checksum DB" },
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Get_ChecksumDbAttack_DeniedWithReasonAndRecorded(string attack, string reason)
    {
        AddAll();
        var target = AlphaOld;
        switch (attack)
        {
            case "other-key":
                sumdb.SignWithOtherKey(true);
                break;
            case "wrong-key-hash":
                sumdb.SignWithWrongKeyHash(true);
                break;
            case "corrupt-tile":
                sumdb.CorruptTile(sumdb.HashTilePath(sumdb.RecordId(target.Path, target.Version)!.Value));
                break;
            case "record-override":
                sumdb.LookupRecordOverride(target.Path, target.Version, $"{target.Path} {target.Version} {target.Sum}\n{target.Path} {target.Version}/go.mod {target.GoModSum}\nextra\n");
                break;
            case "unknown-module":
                await sumdb.DisposeAsync();
                sumdb = TestChecksumDatabase.Start();
                sumdb.AddFiller(3);
                break;
        }

        await using var gateway = await StartGatewayAsync();
        var (status, body) = await GetZipAsync(gateway, target);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.StartsWith("denied: ", body, StringComparison.Ordinal);
        Assert.Contains(reason, body, StringComparison.Ordinal);
        var decision = Assert.Single(await gateway.DecisionsAsync());
        Assert.Equal("denied", decision.GetProperty("outcome").GetString());
        Assert.False(Directory.Exists(Path.Combine(gateway.DataDirectory, "cache", "example.com", "alpha.git", "@v", target.Version)));
    }

    [Fact]
    public async Task Get_ChecksumDbUnreachable_503AndNothingDecided()
    {
        AddAll();
        await sumdb.DisposeAsync();
        await using var gateway = await StartGatewayAsync();

        var (status, body) = await GetZipAsync(gateway, AlphaOld);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.StartsWith("unavailable: checksum DB ", body, StringComparison.Ordinal);
        Assert.Empty(await gateway.DecisionsAsync());
    }

    [Fact]
    public async Task Get_VersionUpstreamDoesNotHave_404AndNotAskedOfTheChecksumDb()
    {
        AddAll();
        await using var gateway = await StartGatewayAsync();

        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(AlphaOld.Path, AlphaOld.Version + "-never.published", "info").TrimStart('/'));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, sumdb.LookupRequests);
    }

    [Fact]
    public async Task Get_PrivatePattern_AdmittedWithoutChecksumDbAndSaysWhy()
    {
        await using var gateway = await StartGatewayAsync("--Gateway:NoSumDb=example.com/alpha.git,corp.example.com");

        var (status, _) = await GetZipAsync(gateway, AlphaOld);

        Assert.Equal(HttpStatusCode.OK, status);
        var decision = Assert.Single(await gateway.DecisionsAsync());
        Assert.Contains("not in checksum DB: private pattern example.com/alpha.git", decision.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(0, sumdb.TotalRequests);
    }

    [Fact]
    public async Task Get_TreeGrowsBetweenAdmissions_ConsistencyProvenAndHeadAdvances()
    {
        sumdb.AddModule(AlphaOld.Path, AlphaOld.Version, AlphaOld.Sum, AlphaOld.GoModSum);
        sumdb.AddFiller(300);
        await using var gateway = await StartGatewayAsync();
        var heads = gateway.Services.GetRequiredService<TrustedHeads>();
        Assert.Equal(HttpStatusCode.OK, (await GetZipAsync(gateway, AlphaOld)).Status);
        var first = await heads.TrustedAsync(sumdb.Name, default);

        sumdb.AddFiller(700);
        sumdb.AddModule(AlphaNew.Path, AlphaNew.Version, AlphaNew.Sum, AlphaNew.GoModSum);
        Assert.Equal(HttpStatusCode.OK, (await GetZipAsync(gateway, AlphaNew)).Status);
        var second = await heads.TrustedAsync(sumdb.Name, default);

        Assert.Equal(301, first!.TreeSize);
        Assert.Equal(sumdb.Size, second!.TreeSize);
        Assert.Equal((await sumdb.HeadAsync()).Hash.ToString(), second.TreeHash);
    }

    [Fact]
    public async Task Get_HeadRowWrittenBehindTheGatewaysBack_NotTrusted_AdmissionsStopNamingIt()
    {
        sumdb.AddModule(AlphaOld.Path, AlphaOld.Version, AlphaOld.Sum, AlphaOld.GoModSum);
        sumdb.AddModule(AlphaNew.Path, AlphaNew.Version, AlphaNew.Sum, AlphaNew.GoModSum);
        sumdb.AddFiller(10);
        await using var gateway = await StartGatewayAsync();
        Assert.Equal(HttpStatusCode.OK, (await GetZipAsync(gateway, AlphaOld)).Status);

        // A database account (the runtime role may append heads) records a bigger tree of its own, with a note no key signed.
        var forgedHash = Convert.ToBase64String(new byte[32]);
        await SecureGateway.Tests.Audit.AuditStore.ExecuteAsync(gateway.ConnectionString, $"""
            INSERT INTO checksum_db_heads (database, tree_size, tree_hash, note, verified_at)
            VALUES ('{sumdb.Name}', 100000, '{forgedHash}', 'go.sum database tree\n100000\n{forgedHash}\n\n— {sumdb.Name} AAAAAAAA\n', now())
            """);
        var (status, body) = await GetZipAsync(gateway, AlphaNew);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.StartsWith($"unavailable: trusted head ", body, StringComparison.Ordinal);
        Assert.Contains($"in the audit database is not a tree head signed by {sumdb.Name}: the head store was changed outside the gateway", body, StringComparison.Ordinal);
        Assert.Empty(await gateway.DecisionsAsync($"?module={AlphaNew.Path}&version={AlphaNew.Version}"));
    }

    [Fact]
    public async Task Get_StaleButConsistentHead_AcceptedWithoutMovingTrustedHeadBack()
    {
        sumdb.AddModule(AlphaOld.Path, AlphaOld.Version, AlphaOld.Sum, AlphaOld.GoModSum);
        sumdb.AddModule(AlphaNew.Path, AlphaNew.Version, AlphaNew.Sum, AlphaNew.GoModSum);
        sumdb.AddFiller(50);
        await using var gateway = await StartGatewayAsync();
        Assert.Equal(HttpStatusCode.OK, (await GetZipAsync(gateway, AlphaOld)).Status);

        sumdb.ServeOlderHead(2);
        var (status, _) = await GetZipAsync(gateway, AlphaNew);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(sumdb.Size, (await gateway.Services.GetRequiredService<TrustedHeads>().TrustedAsync(sumdb.Name, default))!.TreeSize);
    }

    [Theory]
    [InlineData("larger")]
    [InlineData("same-size")]
    [InlineData("older")]
    public async Task Get_ForkedHistory_AdmissionsStopCacheServesReadyzAlarmsUntilReset(string shape)
    {
        sumdb.AddModule(AlphaOld.Path, AlphaOld.Version, AlphaOld.Sum, AlphaOld.GoModSum);
        sumdb.AddModule(AlphaNew.Path, AlphaNew.Version, AlphaNew.Sum, AlphaNew.GoModSum);
        sumdb.AddFiller(20);
        await using var gateway = await StartGatewayAsync();
        Assert.Equal(HttpStatusCode.OK, (await GetZipAsync(gateway, AlphaOld)).Status);

        sumdb.Fork(index: 1);
        switch (shape)
        {
            case "larger":
                sumdb.AddFiller(5);
                break;
            case "older":
                sumdb.ServeOlderHead(10);
                break;
        }

        var tileCache = Path.Combine(gateway.DataDirectory, "sumdb", sumdb.Name);
        var tilesBefore = CachedTiles(tileCache);
        var (status, body) = await GetZipAsync(gateway, AlphaNew);
        using var ready = await gateway.Http.GetAsync("readyz");
        var (cachedStatus, _) = await GetZipAsync(gateway, AlphaOld);

        // Nothing authenticated against the forked head reached the tile cache that /sumdb/ serves go clients from.
        Assert.Equal(tilesBefore, CachedTiles(tileCache));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains($"checksum DB {sumdb.Name} is inconsistent", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("checksum-db: Unhealthy (FORK", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, cachedStatus);
        Assert.Single(await gateway.DecisionsAsync());

        await gateway.Services.GetRequiredService<TrustedHeads>().RecordResetAsync(sumdb.Name, "test-operator", default);
        sumdb.ServeCurrentHead();
        Assert.Equal(HttpStatusCode.OK, (await GetZipAsync(gateway, AlphaNew)).Status);
    }

    [Fact]
    public async Task Get_TwoGatewaysOneDatabaseWhileTreeGrows_HeadOnlyAdvancesToLargestTreeAndNoFork()
    {
        AddAll();
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        await using var first = await StartGatewayOnAsync(connectionString);
        await using var second = await StartGatewayOnAsync(connectionString);

        // Each process admits its own module versions at the same time as the other, each lookup likely seeing a larger tree.
        var admissions = Task.WhenAll(Universe.Modules.Select((module, i) => GetZipAsync(i % 2 == 0 ? first : second, module)));
        await GrowUntilAsync(admissions);
        var results = await admissions;

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        var heads = first.Services.GetRequiredService<TrustedHeads>();
        Assert.Null(await heads.ActiveForkAsync(sumdb.Name, default));
        await using var db = await AuditTestDatabase.Of(connectionString).Contexts.CreateDbContextAsync();
        var recorded = await db.ChecksumDbHeads.OrderBy(h => h.Id).Select(h => h.TreeSize).ToListAsync();
        // Under the cross-process lock a head is recorded only when it is larger than the one trusted at that moment.
        Assert.Equal(recorded.Order().Distinct(), recorded);
        var trusted = await heads.TrustedAsync(sumdb.Name, default);
        Assert.Equal(recorded.Max(), trusted!.TreeSize);
        var verified = await first.DecisionsAsync("?limit=1000");
        Assert.Equal(Universe.Modules.Count, verified.Count);
        Assert.All(verified, d => Assert.True(d.GetProperty("checksumDbTreeSize").GetInt64() <= trusted.TreeSize));
    }

    /// <summary>The figures for the closing note: checksum-DB requests and time per admission on a 100,000-record tree.</summary>
    [Fact]
    public async Task Admission_On100kRecordTree_OneLookupAndFewTilesPerAdmission()
    {
        var fill = Stopwatch.StartNew();
        sumdb.AddFiller(100_000);
        AddAll();
        fill.Stop();
        await using var gateway = await StartGatewayAsync();
        await using var unverified = await GatewayInstance.StartAsync(upstream.Url);

        var perAdmission = new List<(string Module, int Lookups, int Tiles, TimeSpan Verified, TimeSpan Unverified)>();
        foreach (var module in Universe.Modules)
        {
            sumdb.ResetCounters();
            var verified = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.OK, (await GetZipAsync(gateway, module)).Status);
            verified.Stop();
            var plain = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.OK, (await GetZipAsync(unverified, module)).Status);
            plain.Stop();
            perAdmission.Add((module.ToString(), sumdb.LookupRequests, sumdb.TileRequests, verified.Elapsed, plain.Elapsed));
        }

        output.WriteLine($"tree: {sumdb.Size} records (filled in {fill.ElapsedMilliseconds} ms)");
        foreach (var (module, lookups, tiles, verifiedTime, plainTime) in perAdmission)
        {
            output.WriteLine($"{module}: {lookups} lookup, {tiles} tiles, {verifiedTime.TotalMilliseconds:0} ms verified vs {plainTime.TotalMilliseconds:0} ms with checksum DB off");
        }

        Assert.All(perAdmission, a => Assert.Equal(1, a.Lookups));
        Assert.True(perAdmission[0].Tiles <= 8, $"first admission fetched {perAdmission[0].Tiles} tiles");
        Assert.All(perAdmission.Skip(1), a => Assert.True(a.Tiles <= 3, $"{a.Module} fetched {a.Tiles} tiles; full tiles must come from the cache"));
    }

    private void AddAll() =>
        sumdb.AddFromGoSums(Universe.Modules.Select(m => (m.Path, m.Version, m.Sum, m.GoModSum)));

    private static Dictionary<string, string> CachedTiles(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
                .ToDictionary(f => Path.GetRelativePath(directory, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))))
            : new Dictionary<string, string>();

    private Task<GatewayInstance> StartGatewayAsync(params string[] extra) =>
        GatewayInstance.StartAsync(upstream.Url, extraArguments: [$"--Gateway:SumDb={sumdb.GoSumDb}", .. extra]);

    /// <summary>Another gateway process (a data directory of its own) on the audit database of <paramref name="connectionString"/>.</summary>
    private Task<GatewayInstance> StartGatewayOnAsync(string connectionString) =>
        GatewayInstance.StartAsync(upstream.Url, connectionString: connectionString, extraArguments: [$"--Gateway:SumDb={sumdb.GoSumDb}"]);

    /// <summary>Appends a few records every couple of milliseconds until <paramref name="done"/> completes.</summary>
    private async Task GrowUntilAsync(Task done)
    {
        while (!done.IsCompleted)
        {
            sumdb.AddFiller(3);
            await Task.WhenAny(done, Task.Delay(TimeSpan.FromMilliseconds(2)));
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetZipAsync(GatewayInstance gateway, DownloadedModule module)
    {
        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(module.Path, module.Version, "zip").TrimStart('/'));
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType == "text/plain" ? await response.Content.ReadAsStringAsync() : "");
    }
}
