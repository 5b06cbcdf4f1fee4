using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SecureGateway.Data;
using SecureGateway.Data.Events;
using SecureGateway.Modules;

namespace SecureGateway.Audit;

/// <summary>A reviewer's revocation of a module's versions by range, which also refuses versions first seen later.</summary>
public sealed record RangeRevocation(long EventId, DateTimeOffset Time, string Actor, VersionRange Range, string Justification);

/// <summary>
/// Range revocations, kept as audit events (append-only, hash-chained): a range such as <c>&lt;v1.2.4</c> covers
/// pseudo-versions and pre-releases nobody has fetched yet, so admission asks here before deciding a version afresh.
/// </summary>
public sealed class RangeRevocations(IDbContextFactory<AuditDbContext> contexts, AuditEventLog events)
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

    /// <summary>Every range revocation of <paramref name="modulePath"/>, latest first (a module has a handful at most).</summary>
    public async Task<IReadOnlyList<RangeRevocation>> OfModuleAsync(string modulePath, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var recorded = await db.Events.AsNoTracking()
            .Where(e => e.Kind == AuditEventKinds.RevokeRange && e.Subject == modulePath)
            .OrderByDescending(e => e.Id)
            .ToListAsync(cancellationToken);
        return
        [
            .. recorded
                .Select(e => e.Evidence is not null && JsonSerializer.Deserialize<Stored>(e.Evidence) is { } stored && VersionRange.Parse(stored.Range, out _) is { } range
                    ? new RangeRevocation(e.Id, e.Time, e.Actor, range, stored.Justification)
                    : null)
                .OfType<RangeRevocation>(),
        ];
    }

    /// <summary>The latest of <paramref name="revocations"/> that contains the version and was made after <paramref name="after"/>; null if none.</summary>
    public static RangeRevocation? Blocking(IReadOnlyList<RangeRevocation> revocations, string version, DateTimeOffset? after) =>
        revocations.FirstOrDefault(r => (after is null || r.Time > after) && r.Range.Contains(version));

    private sealed record Stored(string Range, string Justification);
}
