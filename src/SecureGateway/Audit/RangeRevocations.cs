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

    /// <summary>The latest range revocation of the module that contains the version and was made after <paramref name="after"/>; null if none.</summary>
    public async Task<RangeRevocation?> BlockingAsync(ModuleVersion module, DateTimeOffset? after, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var recorded = await db.Events.AsNoTracking()
            .Where(e => e.Kind == AuditEventKinds.RevokeRange && e.Subject == module.Path && (after == null || e.Time > after))
            .OrderByDescending(e => e.Id)
            .ToListAsync(cancellationToken);
        foreach (var revocation in recorded)
        {
            if (revocation.Evidence is not null
                && JsonSerializer.Deserialize<Stored>(revocation.Evidence) is { } stored
                && VersionRange.Parse(stored.Range, out _) is { } range
                && range.Contains(module.Version))
            {
                return new(revocation.Id, revocation.Time, revocation.Actor, range, stored.Justification);
            }
        }

        return null;
    }

    private sealed record Stored(string Range, string Justification);
}
