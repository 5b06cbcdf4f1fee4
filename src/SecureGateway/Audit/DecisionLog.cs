using Microsoft.EntityFrameworkCore;
using SecureGateway.Data;
using SecureGateway.Data.Decisions;

namespace SecureGateway.Audit;

/// <summary>Reads and appends decisions in the audit store. Decisions are never updated: the latest row is the state.</summary>
public sealed class DecisionLog(IDbContextFactory<AuditDbContext> contexts)
{
    public async Task<Decision> RecordAsync(Decision decision, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Decisions.Add(decision);
        await db.SaveChangesAsync(cancellationToken);
        return decision;
    }

    public async Task<Decision?> LatestAsync(string module, string version, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Decisions.AsNoTracking()
            .Where(d => d.Module == module && d.Version == version)
            .OrderByDescending(d => d.Id)
            .FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Decision>> FindAsync(DecisionQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var decisions = db.Decisions.AsNoTracking();
        if (query.Module is not null)
        {
            decisions = decisions.Where(d => d.Module == query.Module);
        }

        if (query.Version is not null)
        {
            decisions = decisions.Where(d => d.Version == query.Version);
        }

        if (query.Outcome is { } outcome)
        {
            decisions = decisions.Where(d => d.Outcome == outcome);
        }

        return await decisions.OrderByDescending(d => d.Id).Take(query.Limit).ToListAsync(cancellationToken);
    }
}

public sealed record DecisionQuery(string? Module, string? Version, DecisionOutcome? Outcome, int Limit);
