using Microsoft.EntityFrameworkCore;
using SecureGateway.Data;
using SecureGateway.Data.Decisions;

namespace SecureGateway.Audit;

/// <summary>The state of module versions: each one's latest decision, which later acts (reviews, re-evaluations) supersede.</summary>
public sealed class CurrentDecisions(IDbContextFactory<AuditDbContext> contexts)
{
    /// <summary>Versions whose latest decision has <paramref name="outcome"/>, optionally of one module, oldest first.</summary>
    public async Task<IReadOnlyList<Decision>> WithOutcomeAsync(DecisionOutcome outcome, string? module, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var decisions = db.Decisions.AsNoTracking();
        if (module is not null)
        {
            decisions = decisions.Where(d => d.Module == module);
        }

        var latest = await decisions
            .GroupBy(d => new { d.Module, d.Version })
            .Select(g => g.OrderByDescending(d => d.Id).First())
            .ToListAsync(cancellationToken);
        return [.. latest.Where(d => d.Outcome == outcome).OrderBy(d => d.Id)];
    }
}
