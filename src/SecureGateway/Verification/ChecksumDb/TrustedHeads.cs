using Microsoft.EntityFrameworkCore;
using Npgsql;
using SecureGateway.Audit;
using SecureGateway.Coordination;
using SecureGateway.Data;
using SecureGateway.Data.ChecksumDb;
using SecureGateway.Data.Events;
using SecureGateway.Observability;

namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// The checksum database's tree head the gateway trusts, and the fork alarm, both in PostgreSQL so they survive
/// restarts and are shared with the CLI. Both are read afresh for every admission: an operator's reset from the
/// CLI takes effect at once, and admissions are rare (later requests are served from the cache).
/// </summary>
public sealed class TrustedHeads(IDbContextFactory<AuditDbContext> contexts, AuditEventLog events, SumDbSettings settings)
{
    internal const string GatewayActor = "gateway";
    private const int HeadsPage = 16;

    /// <summary>
    /// The largest tree verified since the last reset (the later row of equal size); null when none is trusted yet.
    /// Not simply the newest row: gateway processes sharing the database that raced (before heads were advanced under
    /// a cross-process lock) may have recorded a prefix after the tree extending it; trusting it would move the head back.
    /// </summary>
    public async Task<ChecksumDbHead?> TrustedAsync(string database, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var lastReset = await LastEventAsync(db, database, [AuditEventKinds.ChecksumDbHeadReset], cancellationToken);
        return await TrustedSinceAsync(db, database, lastReset, cancellationToken);
    }

    /// <summary>
    /// The open fork alarm's event id, or else the trusted head (<see cref="TrustedAsync"/>), in one go: what every
    /// admission's checksum-DB lookup compares its head with. <c>Since</c> is the id of the last fork or reset event
    /// (null: none), which begins the history the cached tiles belong to.
    /// </summary>
    public Task<(long? Fork, ChecksumDbHead? Trusted, long? Since)> StateAsync(string database, CancellationToken cancellationToken) =>
        StateRead(database).RunAsync(contexts, cancellationToken);

    /// <summary>
    /// <see cref="StateAsync"/> as one statement to run in the round trip of another command (an admission's claim): the
    /// last fork or reset, and the trusted head since it unless that was a fork.
    /// </summary>
    public static BatchedRead<(long? Fork, ChecksumDbHead? Trusted, long? Since)> StateRead(string database) => new(
        new NpgsqlBatchCommand("""
            SELECT e.id, e.kind, h.id, h.tree_size, h.tree_hash, h.note, h.verified_at, h.chain_seq, h.prev_hash, h.row_hash
            FROM (SELECT 1) AS one
            LEFT JOIN LATERAL (
                SELECT id, kind, time FROM audit_events WHERE subject = $1 AND kind IN ($2, $3) ORDER BY id DESC LIMIT 1
            ) AS e ON true
            LEFT JOIN LATERAL (
                SELECT * FROM checksum_db_heads
                WHERE database = $1 AND (e.time IS NULL OR verified_at > e.time)
                ORDER BY tree_size DESC, id DESC LIMIT 1
            ) AS h ON e.kind IS DISTINCT FROM $2
            """)
        {
            Parameters = { new() { Value = database }, new() { Value = AuditEventKinds.ChecksumDbFork }, new() { Value = AuditEventKinds.ChecksumDbHeadReset } },
        },
        async (reader, cancellationToken) =>
        {
            await reader.ReadAsync(cancellationToken);
            long? last = await reader.IsDBNullAsync(0, cancellationToken) ? null : reader.GetInt64(0);
            if (last is { } fork && reader.GetString(1) == AuditEventKinds.ChecksumDbFork)
            {
                return (fork, null, fork);
            }

            var trusted = await reader.IsDBNullAsync(2, cancellationToken) ? null : new ChecksumDbHead
            {
                Id = reader.GetInt64(2),
                Database = database,
                TreeSize = reader.GetInt64(3),
                TreeHash = reader.GetString(4),
                Note = reader.GetString(5),
                VerifiedAt = reader.GetFieldValue<DateTimeOffset>(6),
                ChainSeq = reader.GetInt64(7),
                PrevHash = await reader.IsDBNullAsync(8, cancellationToken) ? null : reader.GetString(8),
                RowHash = await reader.IsDBNullAsync(9, cancellationToken) ? null : reader.GetString(9),
            };
            ChecksumDbMetrics.Trusted(database, trusted?.TreeSize ?? 0);
            return (null, trusted, last);
        });

    private static async Task<ChecksumDbHead?> TrustedSinceAsync(AuditDbContext db, string database, AuditEvent? lastReset, CancellationToken cancellationToken)
    {
        var trusted = await db.ChecksumDbHeads.AsNoTracking()
            .Where(h => h.Database == database && (lastReset == null || h.VerifiedAt > lastReset.Time))
            .OrderByDescending(h => h.TreeSize)
            .ThenByDescending(h => h.Id)
            .FirstOrDefaultAsync(cancellationToken);
        ChecksumDbMetrics.Trusted(database, trusted?.TreeSize ?? 0);
        return trusted;
    }

    /// <summary>
    /// Since when the record has been in the checksum database by this gateway's own evidence: the earliest time it
    /// verified a tree (since the last reset) that holds the record. A trusted lower bound on a version's age that no
    /// publisher can backdate; null when no such tree was verified before.
    /// </summary>
    public async Task<DateTimeOffset?> RecordPresentSinceAsync(string database, long recordId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        // One round trip, on the admission's path: the last reset's time is a subquery of the heads' read.
        var lastReset = db.Events
            .Where(e => e.Subject == database && e.Kind == AuditEventKinds.ChecksumDbHeadReset)
            .OrderByDescending(e => e.Id)
            .Select(e => (DateTimeOffset?)e.Time);
        var holding = db.ChecksumDbHeads.AsNoTracking()
            .Where(h => h.Database == database && h.TreeSize > recordId && (lastReset.FirstOrDefault() == null || h.VerifiedAt > lastReset.FirstOrDefault()))
            .OrderBy(h => h.VerifiedAt)
            .ThenBy(h => h.Id);

        // Only a head the checksum DB signed counts: a row a database account wrote is no evidence of anything. Read a
        // page at a time: the earliest row is nearly always signed, and a growing checksum DB leaves a row per growth
        // (thousands of heads hold a record of last month), none of which need loading.
        for (var skip = 0; ; skip += HeadsPage)
        {
            var page = await holding.Skip(skip).Take(HeadsPage).ToListAsync(cancellationToken);
            if (page.FirstOrDefault(h => SignedTree(h) is not null) is { } signed)
            {
                return signed.VerifiedAt;
            }

            if (page.Count < HeadsPage)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// The stored head's tree, when its note verifies with the configured checksum DB's key and states the stored size
    /// and hash; null for a row the checksum DB did not sign (written behind the gateway's back).
    /// </summary>
    public TreeHead? SignedTree(ChecksumDbHead stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (settings.Verifier is not { } verifier || stored.Database != settings.Name)
        {
            return null;
        }

        TreeHead tree;
        try
        {
            var note = Notes.Open(System.Text.Encoding.UTF8.GetBytes(stored.Note), [verifier]);
            tree = TreeHead.Parse(System.Text.Encoding.UTF8.GetBytes(note.Text));
        }
        catch (Exception e) when (e is FormatException or NoteException)
        {
            return null;
        }

        return tree.N == stored.TreeSize && tree.Hash.ToString() == stored.TreeHash ? tree : null;
    }

    /// <summary>The fork event that stops admissions, or null when the last fork (if any) was reset by an operator.</summary>
    public async Task<AuditEvent?> ActiveForkAsync(string database, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var last = await LastForkOrResetAsync(db, database, cancellationToken);
        return last?.Kind == AuditEventKinds.ChecksumDbFork ? last : null;
    }

    /// <summary>Trusts <paramref name="tree"/>; call only after it was proven to extend the trusted head (or none was trusted).</summary>
    public async Task AdvanceAsync(string database, TreeHead tree, byte[] signedNote, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ChecksumDbHeads.Add(new ChecksumDbHead
        {
            Database = database,
            TreeSize = tree.N,
            TreeHash = tree.Hash.ToString(),
            Note = System.Text.Encoding.UTF8.GetString(signedNote),
        });
        await db.SaveChangesAsync(cancellationToken);
        ChecksumDbMetrics.Trusted(database, tree.N);
    }

    public async Task<AuditEvent> RecordForkAsync(string database, ChecksumDbHead trusted, TreeHead seen, byte[] seenNote, CancellationToken cancellationToken)
    {
        var fork = new AuditEvent
        {
            Kind = AuditEventKinds.ChecksumDbFork,
            Actor = GatewayActor,
            Subject = database,
            Summary = $"checksum DB {database} presented tree {seen.N} hash {seen.Hash}, inconsistent with trusted tree {trusted.TreeSize} hash {trusted.TreeHash}",
            Evidence = $"trusted signed head:\n{trusted.Note}\nconflicting signed head:\n{System.Text.Encoding.UTF8.GetString(seenNote)}",
        };
        return await events.AppendAsync(fork, cancellationToken);
    }

    public Task<AuditEvent> RecordResetAsync(string database, string actor, CancellationToken cancellationToken) =>
        events.AppendAsync(new AuditEvent
        {
            Kind = AuditEventKinds.ChecksumDbHeadReset,
            Actor = actor,
            Subject = database,
            Summary = $"trusted head of checksum DB {database} discarded; the next verified head is trusted afresh",
        }, cancellationToken);

    /// <summary>The fork alarm is open when the last of the forks and resets is a fork.</summary>
    private static Task<AuditEvent?> LastForkOrResetAsync(AuditDbContext db, string database, CancellationToken cancellationToken) =>
        LastEventAsync(db, database, [AuditEventKinds.ChecksumDbFork, AuditEventKinds.ChecksumDbHeadReset], cancellationToken);

    private static Task<AuditEvent?> LastEventAsync(AuditDbContext db, string database, string[] kinds, CancellationToken cancellationToken) =>
        db.Events.AsNoTracking()
            .Where(e => e.Subject == database && kinds.Contains(e.Kind))
            .OrderByDescending(e => e.Id)
            .FirstOrDefaultAsync(cancellationToken);
}
