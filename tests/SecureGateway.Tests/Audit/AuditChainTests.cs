using Npgsql;
using SecureGateway.Audit;
using SecureGateway.Data.Events;

namespace SecureGateway.Tests.Audit;

/// <summary>The hash chain as the database keeps it, and what <see cref="AuditChain.VerifyAsync"/> finds when someone goes around it.</summary>
public sealed class AuditChainTests
{
    [Fact]
    public async Task VerifyAsync_EmptyStore_OkWithNoRows()
    {
        await using var store = await AuditStore.CreateAsync();

        var result = await store.Chain.VerifyAsync(CancellationToken.None);

        Assert.Equal(new ChainVerification(true, 0, null, null, null), result);
    }

    [Fact]
    public async Task VerifyAsync_FreshChain_OkAndCountsBothTables()
    {
        await using var store = await AuditStore.CreateAsync();
        var decisions = await store.RecordDecisionsAsync(3);
        await store.AppendEventAsync();
        await store.AppendEventAsync(AuditEventKinds.ReevaluationRun);

        var result = await store.Chain.VerifyAsync(CancellationToken.None);

        Assert.Equal(new ChainVerification(true, 5, null, null, null), result);
        Assert.Equal([1L, 2L, 3L], decisions.Select(d => d.ChainSeq));
        Assert.Equal(new string('0', 64), decisions[0].PrevHash);
        Assert.Equal(decisions[0].RowHash, decisions[1].PrevHash);
        Assert.Equal(decisions[1].RowHash, decisions[2].PrevHash);
        Assert.All(decisions, d => Assert.Matches("^[0-9a-f]{64}$", d.RowHash!));
    }

    [Fact]
    public async Task VerifyAsync_DecisionChangedBehindTriggers_ReportsThatRow()
    {
        await using var store = await AuditStore.CreateAsync();
        var decisions = await store.RecordDecisionsAsync(5);
        var tampered = decisions[2].Id;

        await store.ExecuteAsync($"UPDATE decisions SET reasons = ARRAY['nothing to see'] WHERE id = {tampered}", bypassTriggers: true);
        var result = await store.Chain.VerifyAsync(CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal(5, result.Rows);
        Assert.Equal(tampered, result.FirstBroken);
        Assert.Equal("decisions", result.Table);
        Assert.Equal("chain_seq 3: row_hash does not match the row's content: the row was changed", result.Reason);
    }

    [Theory]
    [InlineData("outcome = 'denied'")]
    [InlineData("time = time + interval '1 second'")]
    [InlineData("actor = 'someone else'")]
    [InlineData("expires_at = now()")]
    [InlineData("prev_hash = repeat('1', 64)")]
    public async Task VerifyAsync_AnyColumnChanged_Detected(string assignment)
    {
        await using var store = await AuditStore.CreateAsync();
        var decisions = await store.RecordDecisionsAsync(3);

        await store.ExecuteAsync($"UPDATE decisions SET {assignment} WHERE id = {decisions[1].Id}", bypassTriggers: true);
        var result = await store.Chain.VerifyAsync(CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal(decisions[1].Id, result.FirstBroken);
    }

    [Fact]
    public async Task VerifyAsync_ChangedRowRehashed_NextRowNoLongerLinks()
    {
        await using var store = await AuditStore.CreateAsync();
        var decisions = await store.RecordDecisionsAsync(4);

        await store.ExecuteAsync(
            $"SET timezone TO 'UTC'; UPDATE decisions SET reasons = ARRAY['x'] WHERE id = {decisions[1].Id}; " +
            $"UPDATE decisions d SET row_hash = audit_row_hash(d.prev_hash, to_jsonb(d)) WHERE id = {decisions[1].Id}",
            bypassTriggers: true);
        var result = await store.Chain.VerifyAsync(CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal(decisions[2].Id, result.FirstBroken);
        Assert.Contains("prev_hash does not match the previous row's row_hash", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_DecisionDeleted_ReportsTheRowAfterTheGap()
    {
        await using var store = await AuditStore.CreateAsync();
        var decisions = await store.RecordDecisionsAsync(4);

        await store.ExecuteAsync($"DELETE FROM decisions WHERE id = {decisions[1].Id}", bypassTriggers: true);
        var result = await store.Chain.VerifyAsync(CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal(3, result.Rows);
        Assert.Equal(decisions[2].Id, result.FirstBroken);
        Assert.Equal(
            "chain_seq 3: chain_seq 3 follows 1: 1 row(s) missing; prev_hash does not match the previous row's row_hash: that row was changed or removed",
            result.Reason);
    }

    [Fact]
    public async Task VerifyAsync_FirstDecisionDeleted_ReportsTheChainStartsLate()
    {
        await using var store = await AuditStore.CreateAsync();
        var decisions = await store.RecordDecisionsAsync(3);

        await store.ExecuteAsync($"DELETE FROM decisions WHERE id = {decisions[0].Id}", bypassTriggers: true);
        var result = await store.Chain.VerifyAsync(CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal(decisions[1].Id, result.FirstBroken);
        Assert.StartsWith("chain_seq 2: the chain starts at chain_seq 2, not 1", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_AuditEventChanged_NamesAuditEvents()
    {
        await using var store = await AuditStore.CreateAsync();
        await store.RecordDecisionsAsync(2);
        await store.AppendEventAsync();
        var changed = await store.AppendEventAsync();
        await store.AppendEventAsync();

        await store.ExecuteAsync($"UPDATE audit_events SET summary = 'nothing happened' WHERE id = {changed.Id}", bypassTriggers: true);
        var result = await store.Chain.VerifyAsync(CancellationToken.None);

        Assert.Equal(new ChainVerification(false, 5, changed.Id, "audit_events", "chain_seq 2: row_hash does not match the row's content: the row was changed"), result);
    }

    [Theory]
    [InlineData("UPDATE decisions SET reasons = ARRAY['x']", "decisions is append-only: UPDATE refused")]
    [InlineData("DELETE FROM decisions", "decisions is append-only: DELETE refused")]
    [InlineData("TRUNCATE decisions", "decisions is append-only: TRUNCATE refused")]
    [InlineData("UPDATE audit_events SET summary = 'x'", "audit_events is append-only: UPDATE refused")]
    [InlineData("DELETE FROM audit_events", "audit_events is append-only: DELETE refused")]
    [InlineData("TRUNCATE audit_events", "audit_events is append-only: TRUNCATE refused")]
    [InlineData("UPDATE downloads SET client = 'x'", "downloads is append-only: UPDATE refused")]
    [InlineData("DELETE FROM downloads", "downloads is append-only: DELETE refused")]
    [InlineData("UPDATE checksum_db_heads SET tree_size = 1", "checksum_db_heads is append-only: UPDATE refused")]
    [InlineData("DELETE FROM checksum_db_heads", "checksum_db_heads is append-only: DELETE refused")]
    public async Task ChangeWithTriggersOn_RefusedByTheDatabase(string sql, string message)
    {
        await using var store = await AuditStore.CreateAsync();
        await store.RecordDecisionsAsync(1);
        await store.AppendEventAsync();
        await store.ExecuteAsync("INSERT INTO downloads (time, module, version, kind, client) VALUES (now(), 'example.com/m', 'v1.0.0', 'zip', '127.0.0.1')");
        await store.ExecuteAsync("INSERT INTO checksum_db_heads (database, tree_size, tree_hash, note, verified_at) VALUES ('sum.golang.org', 5, 'h', 'n', now())");

        var refused = await Assert.ThrowsAsync<PostgresException>(() => store.ExecuteAsync(sql));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        Assert.Equal(message, refused.MessageText);
        Assert.True((await store.Chain.VerifyAsync(CancellationToken.None)).Ok);
    }

    [Fact]
    public async Task RecordAsync_TwentyWritersAtOnce_ChainStaysValid()
    {
        await using var store = await AuditStore.CreateAsync();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            if (i % 4 == 0)
            {
                await store.AppendEventAsync();
            }
            else
            {
                await store.Decisions.RecordAsync(AuditStore.NewDecision(version: $"v2.0.{i}"), CancellationToken.None);
            }
        })));

        Assert.Equal(new ChainVerification(true, 20, null, null, null), await store.Chain.VerifyAsync(CancellationToken.None));
        Assert.Equal(Enumerable.Range(1, 15).Select(i => (long)i), await SequenceAsync(store, "decisions"));
        Assert.Equal(Enumerable.Range(1, 5).Select(i => (long)i), await SequenceAsync(store, "audit_events"));
    }

    /// <summary>Rows across page boundaries: the first row of a page links to the last of the one before.</summary>
    [Theory]
    [InlineData(AuditChain.PageSize, "reasons = ARRAY['x']", "row_hash does not match")]
    [InlineData(AuditChain.PageSize + 1, "reasons = ARRAY['x']", "row_hash does not match")]
    [InlineData(AuditChain.PageSize + 1, "prev_hash = repeat('1', 64)", "prev_hash does not match")]
    [InlineData(2 * AuditChain.PageSize + 7, "reasons = ARRAY['x']", "row_hash does not match")]
    public async Task VerifyAsync_ManyPages_FindsTheBrokenRow(int position, string assignment, string reason)
    {
        await using var store = await AuditStore.CreateAsync();
        const int rows = (2 * AuditChain.PageSize) + 100;
        await store.ExecuteAsync(
            $"INSERT INTO decisions (module, version, outcome, reasons, actor) " +
            $"SELECT 'example.com/many', 'v0.0.' || n, 'admitted', ARRAY['fine'], 'gateway' FROM generate_series(1, {rows}) n");
        Assert.True((await store.Chain.VerifyAsync(CancellationToken.None)).Ok);
        var id = await store.ScalarAsync<long>($"SELECT id FROM decisions WHERE chain_seq = {position}");

        await store.ExecuteAsync($"UPDATE decisions SET {assignment} WHERE id = {id}", bypassTriggers: true);
        var result = await store.Chain.VerifyAsync(CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal(rows, result.Rows);
        Assert.Equal(id, result.FirstBroken);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_LastRowOfAPageDeleted_NextPageReportsTheGap()
    {
        await using var store = await AuditStore.CreateAsync();
        await store.ExecuteAsync(
            $"INSERT INTO decisions (module, version, outcome, reasons, actor) " +
            $"SELECT 'example.com/many', 'v0.0.' || n, 'admitted', ARRAY['fine'], 'gateway' FROM generate_series(1, {AuditChain.PageSize + 10}) n");
        var after = await store.ScalarAsync<long>($"SELECT id FROM decisions WHERE chain_seq = {AuditChain.PageSize + 1}");

        await store.ExecuteAsync($"DELETE FROM decisions WHERE chain_seq = {AuditChain.PageSize}", bypassTriggers: true);
        var result = await store.Chain.VerifyAsync(CancellationToken.None);

        Assert.Equal(after, result.FirstBroken);
        Assert.Contains($"chain_seq {AuditChain.PageSize + 1} follows {AuditChain.PageSize - 1}: 1 row(s) missing", result.Reason, StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<long>> SequenceAsync(AuditStore store, string table)
    {
        await using var connection = new NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT chain_seq FROM {table} ORDER BY chain_seq", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var sequence = new List<long>();
        while (await reader.ReadAsync())
        {
            sequence.Add(reader.GetInt64(0));
        }

        return sequence;
    }
}
