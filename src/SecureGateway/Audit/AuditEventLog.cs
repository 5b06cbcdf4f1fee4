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
}
