using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SecureGateway.Data;
using SecureGateway.Data.ChecksumDb;
using SecureGateway.Tests.Audit;
using SecureGateway.Tests.ChecksumDb;
using SecureGateway.Verification.DirHash;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Facts;

/// <summary>
/// The age rule cannot be defeated by backdating: where the module index applies, a version it does not list after
/// catching up is new whatever its .info Time says, and one whose index cannot be read has no known age. Private
/// modules, which the public index never sees, are aged by .info.
/// </summary>
public sealed class BackdatingTests
{
    private const string Module = "example.com/backdated";
    private const string Private = "corp.example.com/lib";
    private static readonly DateTimeOffset Backdated = new(2019, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(200, "quarantined: age: published 0.0 days ago (not in the module index yet; first seen by this gateway) — younger than 7 days")]
    [InlineData(500, "quarantined: age: age unknown: the module index could not be read up to now")]
    public async Task Get_BackdatedInfoTime_IndexSaysNewOrCannotSay_Quarantined(int indexStatus, string refusal)
    {
        await using var index = await LoopbackHttpServer.StartAsync(context =>
        {
            // index.golang.org's format: one JSON line per version; nothing lists this module.
            context.Response.StatusCode = indexStatus;
            return Task.CompletedTask;
        });
        await using var upstream = StaticGoProxyServer.Start(Layout(Module));
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url, extraArguments:
            [$"--Gateway:PolicyDir={Repository.CopyOfPolicies()}", $"--Gateway:Index:Url={index.Url}"]);

        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, "v1.0.0", "zip").TrimStart('/'));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.StartsWith(refusal, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // New is a fact that stands; an age the index could not tell is decided afresh after the cooldown.
        var decision = Assert.Single(await gateway.DecisionsAsync());
        Assert.Equal(indexStatus == 500 ? JsonValueKind.String : JsonValueKind.Null, decision.GetProperty("redecideAfter").ValueKind);
    }

    [Fact]
    public async Task Get_IndexUnreadableButRecordInATreeVerifiedLongAgo_AgedByTheChecksumDbAndAdmitted()
    {
        await using var scene = await ChecksumDbSceneAsync();

        // This gateway verified the current tree, which holds the record, thirty days ago (the stamp only the database
        // sets, rewound with its triggers off to stand for the passing of time).
        await scene.RecordHeadAsync(DateTimeOffset.UtcNow.AddDays(-30));
        await AuditStore.ExecuteAsync(scene.Gateway.ConnectionString, "UPDATE checksum_db_heads SET verified_at = now() - interval '30 days'", bypassTriggers: true);

        using var response = await scene.Gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, "v1.0.0", "zip").TrimStart('/'));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var times = Assert.Single(await scene.Gateway.DecisionsAsync()).GetProperty("facts").GetProperty("times");
        Assert.Equal("checksumDb", times.GetProperty("ageSource").GetString());
        Assert.InRange(times.GetProperty("ageDays").GetDouble(), 29.9, 30.1);
    }

    [Fact]
    public async Task Get_GenuineHeadRecordedWithAnOldTimeByADatabaseAccount_TheDatabaseStampsNow_NotAged()
    {
        await using var scene = await ChecksumDbSceneAsync();

        // A database account copies the genuine signed head in, claiming it was verified thirty days ago.
        await scene.RecordHeadAsync(DateTimeOffset.UtcNow.AddDays(-30));

        using var response = await scene.Gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, "v1.0.0", "zip").TrimStart('/'));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var times = Assert.Single(await scene.Gateway.DecisionsAsync()).GetProperty("facts").GetProperty("times");
        Assert.Equal("checksumDb", times.GetProperty("ageSource").GetString());
        Assert.InRange(times.GetProperty("ageDays").GetDouble(), 0, 0.01);
    }

    [Fact]
    public async Task Get_HeadRowNoKeySigned_IsNoEvidenceOfAge()
    {
        await using var scene = await ChecksumDbSceneAsync();
        await scene.RecordHeadAsync(DateTimeOffset.UtcNow.AddDays(-30), note: "verified earlier, trust me\n");
        await AuditStore.ExecuteAsync(scene.Gateway.ConnectionString, "UPDATE checksum_db_heads SET verified_at = now() - interval '30 days'", bypassTriggers: true);

        using var response = await scene.Gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, "v1.0.0", "zip").TrimStart('/'));

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(await scene.Gateway.DecisionsAsync(), d => d.GetProperty("outcome").GetString() == "admitted");
    }

    /// <summary>A backdated module in a checksum DB, behind a gateway whose module index cannot be read.</summary>
    private static async Task<ChecksumDbScene> ChecksumDbSceneAsync()
    {
        var index = await LoopbackHttpServer.StartAsync(context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.CompletedTask;
        });
        var root = Layout(Module);
        var layout = new GoProxyLayout(root);
        var sumdb = TestChecksumDatabase.Start();
        sumdb.AddModule(Module, "v1.0.0", Hash1.OfZip(layout.FilePath(Module, "v1.0.0", "zip")), Hash1.OfGoMod(File.ReadAllBytes(layout.FilePath(Module, "v1.0.0", "mod"))));
        sumdb.AddFiller(3);
        var upstream = StaticGoProxyServer.Start(root);
        var gateway = await GatewayInstance.StartAsync(upstream.Url, extraArguments:
            [$"--Gateway:PolicyDir={Repository.CopyOfPolicies()}", $"--Gateway:Index:Url={index.Url}", $"--Gateway:SumDb={sumdb.GoSumDb}"]);
        return new ChecksumDbScene(index, sumdb, upstream, gateway);
    }

    private sealed record ChecksumDbScene(LoopbackHttpServer Index, TestChecksumDatabase SumDb, StaticGoProxyServer Upstream, GatewayInstance Gateway) : IAsyncDisposable
    {
        /// <summary>Writes a head row of the current tree as a database account can: the genuine signed note unless another is given.</summary>
        public async Task RecordHeadAsync(DateTimeOffset claimedVerifiedAt, string? note = null)
        {
            using var http = new HttpClient();
            note ??= await http.GetStringAsync($"{SumDb.Url}/latest");
            await using var db = await Gateway.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
            db.ChecksumDbHeads.Add(new ChecksumDbHead
            {
                Database = SumDb.Name, TreeSize = SumDb.Size, TreeHash = (await SumDb.HeadAsync()).Hash.ToString(), Note = note, VerifiedAt = claimedVerifiedAt,
            });
            await db.SaveChangesAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Upstream.DisposeAsync();
            await SumDb.DisposeAsync();
            await Index.DisposeAsync();
        }
    }

    [Fact]
    public async Task Get_PrivateModule_IndexNotAskedAgedByInfo()
    {
        var asked = 0;
        await using var index = await LoopbackHttpServer.StartAsync(context =>
        {
            Interlocked.Increment(ref asked);
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.CompletedTask;
        });
        await using var upstream = StaticGoProxyServer.Start(Layout(Private));
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url, extraArguments:
            [$"--Gateway:PolicyDir={Repository.CopyOfPolicies()}", $"--Gateway:Index:Url={index.Url}", "--Gateway:NoSumDb=corp.example.com"]);
        // The background sync at start asks (and fails); the admission must not ask again.
        await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref asked) > 0), "the index is asked at start");

        var askedAtStart = Volatile.Read(ref asked);

        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Private, "v1.0.0", "zip").TrimStart('/'));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var facts = Assert.Single(await gateway.DecisionsAsync()).GetProperty("facts");
        Assert.Equal("info", facts.GetProperty("times").GetProperty("ageSource").GetString());
        Assert.Equal(askedAtStart, Volatile.Read(ref asked));
    }

    private static string Layout(string module)
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        layout.AddVersion(module, "v1.0.0", $"module {module}\n",
            GoProxyLayout.ModuleFiles(module, "v1.0.0", ("go.mod", $"module {module}\n"), ("a.go", "package a\n"),
                ("LICENSE", File.ReadAllText("/usr/share/common-licenses/Apache-2.0"))), Backdated);
        return layout.RootDirectory;
    }
}
