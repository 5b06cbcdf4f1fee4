using Microsoft.EntityFrameworkCore;
using SecureGateway.Data;
using SecureGateway.Data.Decisions;
using SecureGateway.Modules;

namespace SecureGateway.Audit;

/// <summary>The state of module versions: each one's latest decision, which later acts (reviews, re-evaluations) supersede.</summary>
public sealed class CurrentDecisions(IDbContextFactory<AuditDbContext> contexts)
{
    /// <summary>
    /// Versions whose latest decision has <paramref name="outcome"/>, oldest first; optionally only of one module, or only
    /// those a given policy rule quarantined or denied.
    /// </summary>
    public async Task<IReadOnlyList<Decision>> WithOutcomeAsync(DecisionOutcome outcome, string? module, string? rule, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var current = Current(db, outcome);
        if (module is not null)
        {
            current = current.Where(d => d.Module == module);
        }

        if (rule is not null)
        {
            current = RuleRefusals.Of(current, rule);
        }

        return await current.OrderBy(d => d.Id).ToListAsync(cancellationToken);
    }

    /// <summary>The current decisions of <paramref name="versions"/> that have <paramref name="outcome"/>, oldest first (one query per module).</summary>
    public async Task<IReadOnlyList<Decision>> OfVersionsAsync(DecisionOutcome outcome, IEnumerable<ModuleVersion> versions, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = new List<Decision>();
        foreach (var module in versions.GroupBy(v => v.Path, StringComparer.Ordinal))
        {
            var wanted = module.Select(v => v.Version).Distinct(StringComparer.Ordinal).ToList();
            found.AddRange(await Current(db, outcome).Where(d => d.Module == module.Key && wanted.Contains(d.Version)).ToListAsync(cancellationToken));
        }

        return [.. found.OrderBy(d => d.Id)];
    }

    /// <summary>Whether some admitted version's release was a waiver that has lapsed by <paramref name="now"/>.</summary>
    public async Task<bool> AnyLapsedWaiverAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await Current(db, DecisionOutcome.Admitted).AnyAsync(d => d.ExpiresAt <= now, cancellationToken);
    }

    /// <summary>
    /// Latest decisions with <paramref name="outcome"/>, filtered in the database: a decision no later one of its module
    /// version supersedes (an anti-join the (module, version, id) index answers), so only the matching rows travel.
    /// </summary>
    private static IQueryable<Decision> Current(AuditDbContext db, DecisionOutcome outcome) =>
        db.Decisions.AsNoTracking().Where(d => d.Outcome == outcome
            && !db.Decisions.Any(later => later.Module == d.Module && later.Version == d.Version && later.Id > d.Id));
}
