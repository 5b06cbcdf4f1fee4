using Microsoft.EntityFrameworkCore;
using SecureGateway.Data;
using SecureGateway.Data.Events;

namespace SecureGateway.Audit;

/// <summary>Appends audit events (a checksum-DB fork, a policy bundle loaded or refused, an operator's reset). Never updates.</summary>
public sealed class AuditEventLog(IDbContextFactory<AuditDbContext> contexts)
{
    public async Task<AuditEvent> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Events.Add(auditEvent);
        await db.SaveChangesAsync(cancellationToken);
        return auditEvent;
    }

    /// <summary>Events newest first, filtered as <paramref name="query"/> says; at most <see cref="AuditEventQuery.Limit"/>.</summary>
    public async Task<IReadOnlyList<AuditEvent>> FindAsync(AuditEventQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var events = db.Events.AsNoTracking();
        if (query.Kind is { } kind)
        {
            events = events.Where(e => e.Kind == kind);
        }

        if (query.From is { } after)
        {
            events = events.Where(e => e.Time >= after);
        }

        if (query.To is { } until)
        {
            events = events.Where(e => e.Time < until);
        }

        if (query.Before is { } cursor)
        {
            events = events.Where(e => e.Id < cursor);
        }

        return await events.OrderByDescending(e => e.Id).Take(query.Limit).ToListAsync(cancellationToken);
    }
}

/// <summary>Which audit events to list: of one kind, in [<see cref="From"/>, <see cref="To"/>), older than the id <see cref="Before"/>.</summary>
public sealed record AuditEventQuery(string? Kind, int Limit)
{
    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public long? Before { get; init; }
}
