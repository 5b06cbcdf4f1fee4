using System.Text.Json;
using SecureGateway.Ledger;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Ledger;

/// <summary>The ledger's promise: every entry reaches <c>downloads</c>, through the spool when the database is away.</summary>
public sealed class LedgerWriterTests
{
    [Fact]
    public async Task Record_BatchSizeReached_WrittenWithoutWaitingForTheFlushWindowWithAllFields()
    {
        await using var harness = new LedgerHarness(await AuditTestDatabase.CreateAsync(), new LedgerOptions { BatchSize = 7 });
        for (var i = 0; i < 20; i++)
        {
            harness.Record(1, client: $"10.0.0.{i}");
        }

        harness.Ledger.Record("example.com/odd", "v2.0.0", "mod", "alice", new string('x', 600) + "\0");

        // The clock stands still: 21 distinct rows go out as three full batches of 7 on their size alone.
        await harness.StartAsync();
        await Eventually.HoldsAsync(async () => await harness.Database.DownloadCountAsync() == 21, "21 pulls are written");

        Assert.Equal(20, await harness.Database.ScalarAsync("SELECT count(*) FROM downloads WHERE module = 'example.com/m' AND version = 'v1.0.0' AND kind = 'zip' AND client LIKE '10.0.0.%' AND user_agent = 'Go-http-client/1.1' AND count = 1"));
        Assert.Equal(512, await harness.Database.ScalarAsync("SELECT length(user_agent) FROM downloads WHERE client = 'alice' AND kind = 'mod'"));
        Assert.Equal(1, await harness.Database.ScalarAsync("SELECT count(*) FROM downloads WHERE time > now() - interval '1 minute' AND client = 'alice'"));
        Assert.Empty(harness.Spool.Pending());
    }

    [Fact]
    public async Task Record_IdenticalPullsInOneBatch_OneRowWithTheirCountAndFirstAndLastTime()
    {
        var database = await AuditTestDatabase.CreateAsync();
        await using var harness = new LedgerHarness(database);
        var before = harness.Time.GetUtcNow();
        harness.Record(20);
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        harness.Record(20);
        harness.Record(3, client: "alice");
        harness.Ledger.Record("example.com/m", "v1.0.0", "zip", "10.0.0.1", "curl/8");
        harness.Ledger.Record("example.com/m", "v1.0.0", "mod", "10.0.0.1", "Go-http-client/1.1");
        var after = harness.Time.GetUtcNow();

        await harness.StartAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(harness.Ledger.Queued == 0), "the writer takes the 45 pulls into its batch");
        Assert.Equal(0, await database.DownloadCountAsync());

        await harness.AdvanceUntilAsync(async () => await database.DownloadCountAsync() == 45, "45 pulls are written once the flush window passes");
        Assert.Equal(4, await database.ScalarAsync("SELECT count(*) FROM downloads"));
        Assert.Equal(40, await database.ScalarAsync("SELECT count FROM downloads WHERE client = '10.0.0.1' AND kind = 'zip' AND user_agent = 'Go-http-client/1.1'"));
        Assert.Equal(3, await database.ScalarAsync("SELECT count FROM downloads WHERE client = 'alice'"));
        Assert.Equal(0, await database.ScalarAsync(
            $"SELECT count(*) FROM downloads WHERE NOT (time >= '{before:O}' AND time <= coalesce(last_time, time) AND coalesce(last_time, time) <= '{after:O}')"));
        Assert.Equal(1, await database.ScalarAsync("SELECT count(*) FROM downloads WHERE count = 40 AND last_time > time"));
    }

    [Fact]
    public async Task Record_DatabaseDownThenBack_SpooledToDiskThenReplayedAndDeleted()
    {
        await using var harness = new LedgerHarness(await AuditTestDatabase.CreateAsync());
        await harness.StartAsync();
        harness.Record(10);
        await harness.AdvanceUntilAsync(async () => await harness.Database.DownloadCountAsync() == 10, "the first 10 rows are written");

        await harness.Database.MakeUnavailableAsync();
        harness.Record(500);
        await harness.AdvanceUntilAsync(() => Task.FromResult(harness.Spool.CountPending() == 500), "500 entries are spooled");
        var spooled = harness.Spool.Pending();
        var firstLine = File.ReadLines(spooled[0]).First();
        Assert.Equal("example.com/m", JsonDocument.Parse(firstLine).RootElement.GetProperty("module").GetString());

        await harness.Database.MakeAvailableAsync();
        await harness.AdvanceUntilAsync(() => Task.FromResult(harness.Spool.Pending().Count == 0), "the spool is replayed");
        Assert.Equal(510, await harness.Database.DownloadCountAsync());
        Assert.Empty(Directory.GetFiles(harness.Spool.Directory));
        Assert.Equal(0, harness.Ledger.Lost);
    }

    [Fact]
    public async Task Record_UnderLoadWithDatabaseStoppedAndRestartedMidRun_NoEntryLostCountsMatch()
    {
        await using var harness = new LedgerHarness(await AuditTestDatabase.CreateAsync());
        await harness.StartAsync();
        using var stop = new CancellationTokenSource();
        var recorded = 0L;
        var producers = Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                // About what a busy gateway serves: 8 × 20 artefacts every few milliseconds.
                for (var i = 0; i < 20; i++)
                {
                    harness.Ledger.Record($"example.com/load{p}", "v1.0.0", "zip", $"client-{p}", "Go-http-client/1.1");
                }

                Interlocked.Add(ref recorded, 20);
                await Task.Delay(2);
            }
        })).ToList();

        await harness.AdvanceUntilAsync(async () => await harness.Database.DownloadCountAsync() > 1000, "rows are being written");
        await harness.Database.MakeUnavailableAsync();
        await harness.AdvanceUntilAsync(() => Task.FromResult(harness.Spool.Pending().Count >= 3), "batches are spooled while the database is down");
        await harness.Database.MakeAvailableAsync();
        await harness.AdvanceUntilAsync(async () => harness.Spool.Pending().Count == 0 && await harness.Database.DownloadCountAsync() > 0, "the spool is replayed under load");
        await stop.CancelAsync();
        await Task.WhenAll(producers);
        await harness.StopAsync();

        Assert.Equal(Interlocked.Read(ref recorded), await harness.Database.DownloadCountAsync());
        Assert.Empty(harness.Spool.Pending());
        Assert.Equal(0, harness.Ledger.Lost);
    }

    [Fact]
    public async Task Stop_DatabaseDown_QueueSpooledThenReplayedByTheNextStart()
    {
        var database = await AuditTestDatabase.CreateAsync();
        var harness = new LedgerHarness(database);
        await harness.StartAsync();
        await database.MakeUnavailableAsync();
        harness.Record(300);
        await harness.DisposeAsync();
        Assert.Equal(300, harness.Spool.CountPending());

        await database.MakeAvailableAsync();
        await using var restarted = new LedgerHarness(database, spoolDirectory: harness.Spool.Directory);
        await restarted.StartAsync();

        // A spool file is deleted after its rows commit: once none is left, all 300 must be in the table.
        await Eventually.HoldsAsync(() => Task.FromResult(restarted.Spool.Pending().Count == 0), "the previous run's spool is replayed");
        Assert.Equal(300, await database.DownloadCountAsync());
    }

    [Fact]
    public async Task Stop_DatabaseUp_FlushesEverythingQueued()
    {
        var database = await AuditTestDatabase.CreateAsync();
        await using var harness = new LedgerHarness(database, new LedgerOptions { FlushInterval = TimeSpan.FromMinutes(5), BatchSize = 100_000 });
        await harness.StartAsync();
        harness.Record(2500);

        await harness.StopAsync();

        Assert.Equal(2500, await database.DownloadCountAsync());
        Assert.Empty(harness.Spool.Pending());
    }

    [Fact]
    public async Task Record_QueueFull_SpooledOnTheRequestPathNotDropped()
    {
        var database = await AuditTestDatabase.CreateAsync();
        await using var harness = new LedgerHarness(database, new LedgerOptions { Capacity = 10 });

        harness.Record(25);

        Assert.Equal(15, harness.Ledger.SpooledDirectly);
        Assert.Equal(15, harness.Spool.CountPending());
        await harness.StartAsync();
        await harness.AdvanceUntilAsync(async () => await database.DownloadCountAsync() == 25, "queued and spooled entries are all written");
        Assert.Empty(harness.Spool.Pending());
    }

    [Fact]
    public async Task Start_AfterCrash_TornSpoolFileRecoveredAndUnreadableOneSetAside()
    {
        var database = await AuditTestDatabase.CreateAsync();
        var spoolDirectory = Directory.CreateDirectory(Path.Combine(Infrastructure.TempDirectory.Create("ledger"), "ledger-spool")).FullName;
        var line = """{"time":"2026-01-02T03:04:05+00:00","module":"example.com/crash","version":"v1.0.0","kind":"zip","client":"bob","userAgent":null}""";
        await File.WriteAllTextAsync(Path.Combine(spoolDirectory, "20260102T0304050000000-1-00000001.tmp"), $"{line}\n{line}\n{line[..40]}");
        await File.WriteAllTextAsync(Path.Combine(spoolDirectory, "20260102T0304050000000-1-00000002.jsonl"), $"{line}\nnot json\n{line}\n");
        await using var harness = new LedgerHarness(database, spoolDirectory: spoolDirectory);

        await harness.StartAsync();

        await Eventually.HoldsAsync(() => Task.FromResult(harness.Spool.Pending().Count == 0), "the spool is processed");
        Assert.Equal(2, await database.ScalarAsync("SELECT sum(count) FROM downloads WHERE module = 'example.com/crash' AND client = 'bob' AND time = '2026-01-02T03:04:05Z' AND last_time IS NULL"));
        var rejected = Assert.Single(Directory.GetFiles(spoolDirectory));
        Assert.EndsWith("00000002.rejected", rejected, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_OverlongAndNulFields_FitTheColumns()
    {
        var entry = LedgerEntry.Create(DateTimeOffset.Parse("2026-01-01T05:00:00+02:00", System.Globalization.CultureInfo.InvariantCulture),
            "example.com/\0m", "v1.0.0", "zip", "", new string('a', 1000));

        Assert.Equal("example.com/m", entry.Module);
        Assert.Equal("unknown", entry.Client);
        Assert.Equal(512, entry.UserAgent!.Length);
        Assert.Equal(TimeSpan.Zero, entry.Time.Offset);
        Assert.Null(LedgerEntry.Create(DateTimeOffset.UtcNow, "m", "v1.0.0", "zip", "c", "").UserAgent);
    }
}
