using System.Text.Json;
using Npgsql;
using SecureGateway.Coordination;
using SecureGateway.Data.Events;
using SecureGateway.Modules;

namespace SecureGateway.Audit;

/// <summary>A reviewer's revocation of a module's versions by range, which also refuses versions first seen later.</summary>
public sealed record RangeRevocation(long EventId, DateTimeOffset Time, string Actor, VersionRange Range, string Justification);

/// <summary>
/// Range revocations, kept as audit events (append-only, hash-chained): a range such as <c>&lt;v1.2.4</c> covers
/// pseudo-versions and pre-releases nobody has fetched yet, so admission asks here before deciding a version afresh.
/// </summary>
public sealed class RangeRevocations(AuditEventLog events)
{
    public Task<AuditEvent> RecordAsync(string module, VersionRange range, string actor, string justification, CancellationToken cancellationToken) =>
        events.AppendAsync(new AuditEvent
        {
            Kind = AuditEventKinds.RevokeRange,
            Actor = actor,
            Subject = module,
            Summary = $"{module} {range} revoked by {actor}: {justification}",
            Evidence = JsonSerializer.Serialize(new Stored(range.ToString(), justification)),
        }, cancellationToken);

    /// <summary>
    /// Every range revocation of <paramref name="modulePath"/>, latest first (a module has a handful at most), read in the
    /// round trip of another command (an admission's claim).
    /// </summary>
    public static BatchedRead<IReadOnlyList<RangeRevocation>> OfModuleRead(string modulePath) => new(
        new NpgsqlBatchCommand("SELECT id, time, actor, evidence FROM audit_events WHERE kind = $1 AND subject = $2 ORDER BY id DESC")
        {
            Parameters = { new() { Value = AuditEventKinds.RevokeRange }, new() { Value = modulePath } },
        },
        async (reader, cancellationToken) =>
        {
            var recorded = new List<Recorded>();
            while (await reader.ReadAsync(cancellationToken))
            {
                recorded.Add(new(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), await reader.IsDBNullAsync(3, cancellationToken) ? null : reader.GetString(3)));
            }

            return Revocations(recorded);
        });

    private static List<RangeRevocation> Revocations(IEnumerable<Recorded> recorded) =>
    [
        .. recorded
            .Select(e => e.Evidence is not null && JsonSerializer.Deserialize<Stored>(e.Evidence) is { } stored && VersionRange.Parse(stored.Range, out _) is { } range
                ? new RangeRevocation(e.Id, e.Time, e.Actor, range, stored.Justification)
                : null)
            .OfType<RangeRevocation>(),
    ];

    /// <summary>The latest of <paramref name="revocations"/> that contains the version and was made after <paramref name="after"/>; null if none.</summary>
    public static RangeRevocation? Blocking(IReadOnlyList<RangeRevocation> revocations, string version, DateTimeOffset? after) =>
        revocations.FirstOrDefault(r => (after is null || r.Time > after) && r.Range.Contains(version));

    private sealed record Stored(string Range, string Justification);

    private sealed record Recorded(long Id, DateTimeOffset Time, string Actor, string? Evidence);
}
