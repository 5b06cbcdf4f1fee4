using System.Text.Json;
using Npgsql;
using SecureGateway.Audit;
using SecureGateway.Coordination;
using SecureGateway.Data.Decisions;
using SecureGateway.Modules;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Tests.Ledger;

namespace SecureGateway.Tests.Audit;

/// <summary>
/// An admission claims a version and records its decision in one round trip each (<see cref="DecisionLog.LatestRead"/>,
/// <see cref="RangeRevocations.OfModuleRead"/>, <see cref="DecisionLog.RecordUnlessSupersededAsync"/>): what is read must
/// be what EF reads, the row written the one EF would write, chained like any other, never recorded over a later act.
/// </summary>
public sealed class ConditionalRecordTests
{
    private static readonly ModuleVersion Version = new("example.com/once", "v1.0.0");

    [Fact]
    public async Task Record_EveryColumnAsEfWritesItAndChained()
    {
        var database = await AuditTestDatabase.CreateAsync();
        var log = new DecisionLog(database.Contexts);
        var byEf = await log.RecordAsync(Full("example.com/ef"), CancellationToken.None);

        var recorded = await log.RecordUnlessSupersededAsync(Full(Version.Path), null, DatabaseLocks.DecidingKey(Version), CancellationToken.None);

        Assert.NotNull(recorded);
        Assert.True(recorded.Id > byEf.Id);
        Assert.Equal(byEf.ChainSeq + 1, recorded.ChainSeq);
        Assert.Equal(byEf.RowHash, recorded.PrevHash);
        Assert.Equal(64, recorded.RowHash?.Length);
        Assert.NotEqual(default, recorded.Time);
        Assert.Equal(await RowAsync(database, byEf.Id), await RowAsync(database, recorded.Id));
        Assert.Equal(recorded.Time, (await log.FindAsync(recorded.Id, CancellationToken.None))!.Time);
        Assert.True((await new AuditChain(database.Contexts).VerifyAsync(CancellationToken.None)).Ok);
    }

    [Fact]
    public async Task Record_TimeGiven_Kept()
    {
        var database = await AuditTestDatabase.CreateAsync();
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var decision = Full(Version.Path);
        typeof(Decision).GetProperty(nameof(Decision.Time))!.SetValue(decision, at);

        var recorded = await new DecisionLog(database.Contexts).RecordUnlessSupersededAsync(decision, null, DatabaseLocks.DecidingKey(Version), CancellationToken.None);

        Assert.Equal(at, recorded?.Time);
    }

    [Fact]
    public async Task Record_ANewerDecisionExists_NothingRecorded()
    {
        var database = await AuditTestDatabase.CreateAsync();
        var log = new DecisionLog(database.Contexts);
        var first = await log.RecordAsync(Full(Version.Path), CancellationToken.None);

        var overNone = await log.RecordUnlessSupersededAsync(Full(Version.Path), null, DatabaseLocks.DecidingKey(Version), CancellationToken.None);
        var overFirst = await log.RecordUnlessSupersededAsync(Full(Version.Path), first.Id, DatabaseLocks.DecidingKey(Version), CancellationToken.None);
        var overFirstAgain = await log.RecordUnlessSupersededAsync(Full(Version.Path), first.Id, DatabaseLocks.DecidingKey(Version), CancellationToken.None);

        Assert.Null(overNone);
        Assert.NotNull(overFirst);
        Assert.Null(overFirstAgain);
        Assert.Equal(2, await database.ScalarAsync("SELECT count(*) FROM decisions"));
    }

    [Fact]
    public async Task Record_WhileAReviewerHoldsTheVersionsLock_WaitsAndThenSeesTheAct()
    {
        var database = await AuditTestDatabase.CreateAsync();
        var log = new DecisionLog(database.Contexts);
        await using var reviewer = new NpgsqlConnection(database.ConnectionString);
        await reviewer.OpenAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({DatabaseLocks.DecidingKey(Version)})", reviewer))
        {
            await take.ExecuteNonQueryAsync();
        }

        var admission = log.RecordUnlessSupersededAsync(Full(Version.Path), null, DatabaseLocks.DecidingKey(Version), CancellationToken.None);
        await Eventually.HoldsAsync(
            async () => await database.ScalarAsync("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == 1,
            "the admission waits for the reviewer's lock");
        await log.RecordAsync(Full(Version.Path, DecisionOutcome.Denied), CancellationToken.None);
        await using (var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({DatabaseLocks.DecidingKey(Version)})", reviewer))
        {
            await release.ExecuteNonQueryAsync();
        }

        Assert.Null(await admission);
        Assert.Equal("denied", (await log.LatestAsync(Version.Path, Version.Version, CancellationToken.None))?.Outcome.ToString().ToLowerInvariant());
    }

    [Fact]
    public async Task LatestRead_TheDecisionEfReads()
    {
        var database = await AuditTestDatabase.CreateAsync();
        var log = new DecisionLog(database.Contexts);
        await log.RecordAsync(Full(Version.Path, DecisionOutcome.Admitted), CancellationToken.None);
        await log.RecordAsync(Full(Version.Path), CancellationToken.None);
        var latest = log.LatestRead(Version.Path, Version.Version);
        var none = log.LatestRead(Version.Path, "v9.9.9");

        await RunAsync(database, latest, none);

        var byEf = await log.LatestAsync(Version.Path, Version.Version, CancellationToken.None);
        Assert.Equal(JsonSerializer.Serialize(byEf), JsonSerializer.Serialize(latest.Result));
        Assert.Equal(DecisionOutcome.Quarantined, latest.Result?.Outcome);
        Assert.Null(none.Result);
    }

    [Fact]
    public async Task LatestRead_AnOutcomeNoGatewayWrote_FailsAsAnUnreadableDatabase()
    {
        var database = await AuditTestDatabase.CreateAsync();
        await database.ScalarAsync(
            $"WITH inserted AS (INSERT INTO decisions (module, version, outcome, reasons, actor) VALUES ('{Version.Path}', '{Version.Version}', 'bogus', '{{}}', 'someone') RETURNING id) SELECT id FROM inserted");
        var latest = new DecisionLog(database.Contexts).LatestRead(Version.Path, Version.Version);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync(database, latest));

        Assert.Contains("decisions.outcome", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OfModuleRead_RangeRevocationsLatestFirst()
    {
        var database = await AuditTestDatabase.CreateAsync();
        var ranges = new RangeRevocations(new AuditEventLog(database.Contexts));
        await ranges.RecordAsync(Version.Path, VersionRange.Parse("<v1.2.0", out _)!, "alice", "first", CancellationToken.None);
        await ranges.RecordAsync(Version.Path, VersionRange.Parse(">=v2.0.0", out _)!, "bob", "second", CancellationToken.None);
        await ranges.RecordAsync("example.com/other", VersionRange.Parse("<v9.0.0", out _)!, "carol", "elsewhere", CancellationToken.None);
        var read = RangeRevocations.OfModuleRead(Version.Path);

        await RunAsync(database, read);

        Assert.Equal([("bob", "second"), ("alice", "first")], read.Result.Select(r => (r.Actor, r.Justification)));
        Assert.True(read.Result[1].Range.Contains("v1.1.9"));
        Assert.False(read.Result[1].Range.Contains("v1.2.0"));
    }

    private static async Task RunAsync(AuditTestDatabase database, params BatchedRead[] reads)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var read in reads)
        {
            batch.BatchCommands.Add(read.Command);
        }

        await using var reader = await batch.ExecuteReaderAsync();
        for (var i = 0; i < reads.Length; i++)
        {
            if (i > 0)
            {
                await reader.NextResultAsync();
            }

            await reads[i].ReadAsync(reader, CancellationToken.None);
        }
    }

    private static Decision Full(string module, DecisionOutcome outcome = DecisionOutcome.Quarantined) => new()
    {
        Module = module,
        Version = Version.Version,
        Outcome = outcome,
        Reasons = ["licence: unknown", "a second reason"],
        ZipHash = "h1:zip",
        GoModHash = "h1:mod",
        ZipSize = 1234,
        GoModSize = 56,
        FileCount = 7,
        Upstream = "https://proxy.example",
        ChecksumDb = "sum.golang.org",
        ChecksumDbTreeSize = 100,
        ChecksumDbTreeHash = "tree-hash",
        ChecksumDbRecordId = 42,
        PolicyRevision = "rev-1",
        Facts = """{"module": {"path": "x"}, "licences": []}""",
        RuleResults = """[{"rule": "licence", "verdict": "quarantine"}]""",
        Justification = "why",
        ExpiresAt = new DateTimeOffset(2030, 1, 31, 12, 0, 0, TimeSpan.Zero),
        RedecideAfter = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
        Actor = "gateway",
    };

    /// <summary>Every column but those that differ between two rows by design (ids, chain links, time, module).</summary>
    private static async Task<string> RowAsync(AuditTestDatabase database, long id)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT (to_jsonb(d) - 'id' - 'chain_seq' - 'prev_hash' - 'row_hash' - 'time' - 'module')::text FROM decisions d WHERE id = @id", connection)
        {
            Parameters = { new("id", id) },
        };
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
