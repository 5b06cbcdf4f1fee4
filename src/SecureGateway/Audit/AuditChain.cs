using System.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SecureGateway.Data;
using SecureGateway.Data.Events;

namespace SecureGateway.Audit;

/// <summary>
/// Walks the audit hash chains (<c>decisions</c>, <c>audit_events</c>, <c>checksum_db_heads</c>, <c>api_tokens</c>) in <c>chain_seq</c> order and recomputes
/// every row's hash in the database, with the function the insert trigger uses, so a row changed, removed or
/// reordered behind the triggers' back is found. Reads one consistent snapshot, a page at a time; only a summary
/// of each page leaves the database.
/// </summary>
/// <remarks>
/// What the chain cannot show on its own: rows cut off the end of a chain (the remaining prefix is still a valid
/// chain), or a chain rewritten from the tampered row onwards. Comparing the heads (last <c>row_hash</c>) with a copy
/// kept elsewhere closes both.
/// </remarks>
public sealed class AuditChain(IDbContextFactory<AuditDbContext> contexts)
{
    /// <summary>The chained tables, verified in this order.</summary>
    public static readonly IReadOnlyList<string> Tables = ["decisions", "audit_events", "checksum_db_heads", "api_tokens"];

    internal const int PageSize = 5000;
    /// <summary>The prev_hash of a chain's first row, and the end of an empty chain.</summary>
    internal const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public async Task<ChainVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);

        // One snapshot for every page and both tables: rows appended meanwhile are neither half-seen nor counted.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using (var setup = new NpgsqlCommand("SET TRANSACTION READ ONLY; SET LOCAL timezone TO 'UTC'", connection, transaction))
        {
            // The trigger hashes to_jsonb(NEW) with timestamps rendered in UTC; the same rendering is needed here.
            await setup.ExecuteNonQueryAsync(cancellationToken);
        }

        long rows = 0;
        foreach (var table in Tables)
        {
            rows += await CountAsync(connection, transaction, table, cancellationToken);
        }

        foreach (var table in Tables)
        {
            if (await FirstBrokenAsync(connection, transaction, table, cancellationToken) is { } broken)
            {
                return new ChainVerification(false, rows, broken.Id, table, broken.Reason);
            }
        }

        if (await UnrevokedAsync(connection, transaction, cancellationToken) is { } unrevoked)
        {
            return new ChainVerification(false, rows, unrevoked.Id, "api_tokens", unrevoked.Reason);
        }

        return new ChainVerification(true, rows, null, null, null);
    }

    /// <summary>A token that authenticates although a chained event revoked it: its revocation was undone behind the gateway's back.</summary>
    private static async Task<(long Id, string Reason)?> UnrevokedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            SELECT t.id, t.name, e.id FROM api_tokens t
            JOIN audit_events e ON e.kind = '{AuditEventKinds.TokenRevoked}' AND e.subject = t.name AND e.time >= t.created_at
            WHERE t.revoked_at IS NULL
            ORDER BY t.id LIMIT 1
            """,
            connection,
            transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (reader.GetInt64(0), $"token \"{reader.GetString(1)}\" is valid although audit event {reader.GetInt64(2)} revoked it: the revocation was undone")
            : null;
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, CancellationToken cancellationToken)
    {
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection, transaction);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The earliest row, in chain order, that does not follow from its predecessor; null when the chain holds.</summary>
    private static async Task<(long Id, string Reason)?> FirstBrokenAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string table, CancellationToken cancellationToken)
    {
        // Per page: the window functions pair each row with its predecessor (the previous page's last row for the
        // first), and only the page's size, its last link and its first broken row come back.
        var sql = $"""
            WITH page AS (
                SELECT t.id, t.chain_seq, t.prev_hash::text AS prev_hash, t.row_hash::text AS row_hash,
                       audit_row_hash(t.prev_hash, {HashedContent(table)}) AS computed
                FROM {table} t
                WHERE t.chain_seq > @after
                ORDER BY t.chain_seq
                LIMIT @size
            ), linked AS (
                SELECT id, chain_seq, prev_hash, row_hash, computed,
                       lag(chain_seq, 1, @after) OVER w AS previous_seq,
                       lag(row_hash, 1, @afterHash) OVER w AS previous_hash
                FROM page
                WINDOW w AS (ORDER BY chain_seq)
            ), last AS (
                SELECT chain_seq, row_hash, count(*) OVER () AS n FROM linked ORDER BY chain_seq DESC LIMIT 1
            )
            SELECT last.n, last.chain_seq, last.row_hash,
                   broken.id, broken.chain_seq, broken.previous_seq, broken.linked, broken.intact
            FROM last
            LEFT JOIN LATERAL (
                SELECT id, chain_seq, previous_seq,
                       prev_hash IS NOT DISTINCT FROM previous_hash AS linked,
                       row_hash IS NOT DISTINCT FROM computed AS intact
                FROM linked
                WHERE chain_seq <> previous_seq + 1
                   OR prev_hash IS DISTINCT FROM previous_hash
                   OR row_hash IS DISTINCT FROM computed
                ORDER BY chain_seq
                LIMIT 1
            ) broken ON true
            """;
        var after = 0L;
        var afterHash = Genesis;
        while (true)
        {
            await using var page = new NpgsqlCommand(sql, connection, transaction)
            {
                Parameters =
                {
                    new("after", after),
                    new("afterHash", NpgsqlTypes.NpgsqlDbType.Text) { Value = afterHash },
                    new("size", PageSize),
                },
            };
            await using var reader = await page.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            if (!await reader.IsDBNullAsync(3, cancellationToken))
            {
                return (reader.GetInt64(3), Explain(reader.GetInt64(4), reader.GetInt64(5), reader.GetBoolean(6), reader.GetBoolean(7)));
            }

            if (reader.GetInt64(0) < PageSize)
            {
                return null;
            }

            after = reader.GetInt64(1);
            afterHash = await reader.IsDBNullAsync(2, cancellationToken) ? "" : reader.GetString(2);
        }
    }

    /// <summary>
    /// What a row's hash covers: all of it, except a token's revocation columns (revoking is the one change a token row
    /// allows; <see cref="UnrevokedAsync"/> checks them against the chained token-revoked events).
    /// </summary>
    private static string HashedContent(string table) =>
        table == "api_tokens" ? "to_jsonb(t) - 'revoked_at' - 'revoked_by'" : "to_jsonb(t)";

    private static string Explain(long seq, long previousSeq, bool linked, bool intact)
    {
        var reasons = new List<string>(3);
        if (seq != previousSeq + 1)
        {
            reasons.Add(previousSeq == 0
                ? $"the chain starts at chain_seq {seq}, not 1: earlier rows are missing"
                : $"chain_seq {seq} follows {previousSeq}: {seq - previousSeq - 1} row(s) missing");
        }

        if (!linked)
        {
            reasons.Add(previousSeq == 0
                ? "prev_hash is not the genesis hash (64 zeros)"
                : "prev_hash does not match the previous row's row_hash: that row was changed or removed");
        }

        if (!intact)
        {
            reasons.Add("row_hash does not match the row's content: the row was changed");
        }

        return $"chain_seq {seq}: {string.Join("; ", reasons)}";
    }
}

/// <summary>
/// The result of <see cref="AuditChain.VerifyAsync"/>, as the API and CLI show it:
/// <c>{ "ok", "rows", "firstBroken", "table", "reason" }</c>. <see cref="Rows"/> counts both chains;
/// <see cref="FirstBroken"/> is the id of the earliest broken row in <see cref="Table"/>.
/// </summary>
public sealed record ChainVerification(bool Ok, long Rows, long? FirstBroken, string? Table, string? Reason);
