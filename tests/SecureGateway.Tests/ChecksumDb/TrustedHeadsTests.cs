using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SecureGateway.Audit;
using SecureGateway.Coordination;
using SecureGateway.Data.ChecksumDb;
using SecureGateway.Tests.Ledger;
using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Tests.ChecksumDb;

/// <summary>
/// The trusted head as every gateway process on one database reads it: the largest verified tree since the last reset,
/// whatever order the processes recorded their heads in.
/// </summary>
public sealed class TrustedHeadsTests : IAsyncLifetime
{
    private TestChecksumDatabase sumdb = null!;
    private AuditTestDatabase database = null!;
    private TrustedHeads heads = null!;

    public async Task InitializeAsync()
    {
        sumdb = TestChecksumDatabase.Start();
        sumdb.AddFiller(300);
        database = await AuditTestDatabase.CreateAsync();
        heads = new TrustedHeads(database.Contexts, new AuditEventLog(database.Contexts), SumDbSettings.Parse(sumdb.GoSumDb));
    }

    public async Task DisposeAsync() => await sumdb.DisposeAsync();

    [Fact]
    public async Task TrustedAsync_SmallerHeadRecordedAfterLarger_LargerStaysTrusted()
    {
        var larger = await sumdb.HeadAsync(300);
        var smaller = await sumdb.HeadAsync(120);
        await AdvanceAsync(larger);

        // Another process that verified a stale (prefix) head against an older trusted head records it afterwards.
        await AdvanceAsync(smaller);

        var trusted = await heads.TrustedAsync(sumdb.Name, default);
        Assert.Equal(larger.N, trusted!.TreeSize);
        Assert.Equal(larger.Hash.ToString(), trusted.TreeHash);
    }

    [Fact]
    public async Task TrustedAsync_SameSizeRecordedTwice_LaterRowTrusted()
    {
        var head = await sumdb.HeadAsync(200);
        await AdvanceAsync(head);
        await AdvanceAsync(head);

        var trusted = await heads.TrustedAsync(sumdb.Name, default);

        Assert.Equal(head.N, trusted!.TreeSize);
        Assert.Equal(await database.ScalarAsync("SELECT max(id) FROM checksum_db_heads"), trusted.Id);
    }

    [Fact]
    public async Task TrustedAsync_LargerHeadBeforeReset_SmallerHeadAfterResetTrusted()
    {
        await AdvanceAsync(await sumdb.HeadAsync(300));
        await heads.RecordResetAsync(sumdb.Name, "test-operator", default);
        Assert.Null(await heads.TrustedAsync(sumdb.Name, default));

        var afterReset = await sumdb.HeadAsync(120);
        await AdvanceAsync(afterReset);

        Assert.Equal(afterReset.N, (await heads.TrustedAsync(sumdb.Name, default))!.TreeSize);
    }

    [Fact]
    public async Task RecordPresentSince_HeadsBeforeTheLastResetAreNoEvidence()
    {
        await AdvanceSignedAsync(await sumdb.HeadAsync(300));
        var beforeReset = await heads.RecordPresentSinceAsync(sumdb.Name, 150, default);
        await heads.RecordResetAsync(sumdb.Name, "test-operator", default);
        var justAfterReset = await heads.RecordPresentSinceAsync(sumdb.Name, 150, default);
        await AdvanceSignedAsync(await sumdb.HeadAsync(200));

        var afterReset = await heads.RecordPresentSinceAsync(sumdb.Name, 150, default);
        var onlyInTheTreeBeforeReset = await heads.RecordPresentSinceAsync(sumdb.Name, 250, default);

        Assert.NotNull(beforeReset);
        Assert.Null(justAfterReset);
        Assert.True(afterReset > beforeReset);
        Assert.Null(onlyInTheTreeBeforeReset);
    }

    // Rows a database account wrote (no checksum DB signature) before the first signed head, more than one page of them,
    // are skipped: the evidence is the signed head's time, not theirs, and not "none".
    [Fact]
    public async Task RecordPresentSince_UnsignedRowsBeforeTheFirstSignedHead_SignedHeadsTime()
    {
        var head = await sumdb.HeadAsync(300);
        for (var i = 0; i < 40; i++)
        {
            await AdvanceAsync(head);
        }

        Assert.Null(await heads.RecordPresentSinceAsync(sumdb.Name, 150, default));
        await AdvanceSignedAsync(head);
        await AdvanceSignedAsync(await sumdb.HeadAsync(300));

        await using var db = await database.Contexts.CreateDbContextAsync();
        var firstSigned = (await db.ChecksumDbHeads.OrderBy(h => h.Id).Skip(40).FirstAsync()).VerifiedAt;
        Assert.Equal(firstSigned, await heads.RecordPresentSinceAsync(sumdb.Name, 150, default));
        Assert.Null(await heads.RecordPresentSinceAsync(sumdb.Name, 300, default));
    }

    [Fact]
    public async Task StateAsync_ThroughAHeadsLife_TheForkOrTheTrustedHeadSinceTheLastForkOrReset()
    {
        // Every admission reads this in its claim's round trip, after the lock statement; the console and the head check
        // read it alone. Both at every turn of a head's life: none yet; advanced; forked; reset; advanced again.
        async Task<(long? Fork, string? Trusted, long? Since)> StateAsync()
        {
            var (fork, trusted, since) = await heads.StateAsync(sumdb.Name, default);
            var read = TrustedHeads.StateRead(sumdb.Name);
            await using (var connection = new NpgsqlConnection(database.ConnectionString))
            {
                await connection.OpenAsync();
                await BatchedRead.RunAsync(connection, first: new("SELECT 1"), [read], default);
            }

            Assert.Equal((fork, Describe(trusted), since), (read.Result.Fork, Describe(read.Result.Trusted), read.Result.Since));
            return (fork, Describe(trusted), since);
        }

        Assert.Equal((null, null, null), await StateAsync());
        var first = await sumdb.HeadAsync(200);
        await AdvanceSignedAsync(first);
        await AdvanceSignedAsync(await sumdb.HeadAsync(250));
        var trusted = (await heads.TrustedAsync(sumdb.Name, default))!;
        Assert.Equal(250, trusted.TreeSize);
        Assert.Equal((null, Describe(trusted), null), await StateAsync());
        var fork = await heads.RecordForkAsync(sumdb.Name, trusted, first, sumdb.Sign(first), default);
        Assert.Equal((fork.Id, null, fork.Id), await StateAsync());
        var reset = await heads.RecordResetAsync(sumdb.Name, "test-operator", default);
        Assert.Equal((null, null, reset.Id), await StateAsync());
        await AdvanceSignedAsync(await sumdb.HeadAsync(300));
        var afterReset = (await heads.TrustedAsync(sumdb.Name, default))!;
        Assert.Equal(300, afterReset.TreeSize);
        Assert.Equal((null, Describe(afterReset), reset.Id), await StateAsync());
    }

    private static string? Describe(ChecksumDbHead? head) => head is null ? null
        : $"{head.Id} {head.Database} {head.TreeSize} {head.TreeHash} {head.Note} {head.VerifiedAt:O} {head.ChainSeq} {head.PrevHash} {head.RowHash}";

    private Task AdvanceSignedAsync(TreeHead head) => heads.AdvanceAsync(sumdb.Name, head, sumdb.Sign(head), default);

    private Task AdvanceAsync(TreeHead head) =>
        heads.AdvanceAsync(sumdb.Name, head, Encoding.UTF8.GetBytes(head.Format()), default);
}
