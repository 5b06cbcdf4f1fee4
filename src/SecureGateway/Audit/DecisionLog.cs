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

    /// <summary>Versions of <paramref name="module"/> whose latest decision is not an admission (denied or quarantined).</summary>
    public async Task<IReadOnlySet<string>> RefusedVersionsAsync(string module, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var latest = await db.Decisions.AsNoTracking()
            .Where(d => d.Module == module)
            .GroupBy(d => d.Version)
            .Select(g => g.OrderByDescending(d => d.Id).First())
            .ToListAsync(cancellationToken);
        return latest.Where(d => d.Outcome != DecisionOutcome.Admitted).Select(d => d.Version).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>When this gateway first decided about the version: the "first seen" time, which no publisher controls.</summary>
    public async Task<DateTimeOffset?> FirstSeenAsync(string module, string version, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Decisions.AsNoTracking()
            .Where(d => d.Module == module && d.Version == version)
            .OrderBy(d => d.Id)
            .Select(d => (DateTimeOffset?)d.Time)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The latest decision of every module version that went through the policies (it carries their facts).</summary>
    public async Task<IReadOnlyList<Decision>> LatestWithFactsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var latest = await db.Decisions.AsNoTracking()
            .GroupBy(d => new { d.Module, d.Version })
            .Select(g => g.OrderByDescending(d => d.Id).First())
            .ToListAsync(cancellationToken);
        return [.. latest.Where(d => d.Facts is not null).OrderBy(d => d.Module, StringComparer.Ordinal).ThenBy(d => d.Version, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Decisions matching <paramref name="query"/>, newest first, at most <see cref="DecisionQuery.Limit"/>; page on with
    /// <see cref="DecisionQuery.Before"/> = the last id returned.
    /// </summary>
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

        if (query.Rule is not null)
        {
            decisions = RuleRefusals.Of(decisions, query.Rule);
        }

        if (query.Actor is not null)
        {
            decisions = decisions.Where(d => d.Actor == query.Actor);
        }

        if (query.From is { } from)
        {
            decisions = decisions.Where(d => d.Time >= from);
        }

        if (query.To is { } to)
        {
            decisions = decisions.Where(d => d.Time < to);
        }

        if (query.Before is { } before)
        {
            decisions = decisions.Where(d => d.Id < before);
        }

        return await decisions.OrderByDescending(d => d.Id).Take(query.Limit).ToListAsync(cancellationToken);
    }
}

/// <summary>
/// Filters of <see cref="DecisionLog.FindAsync"/>; null means any. <see cref="Rule"/>: decisions that rule quarantined or
/// denied. <see cref="From"/> inclusive, <see cref="To"/> exclusive; <see cref="Before"/>: only ids below it (paging).
/// </summary>
public sealed record DecisionQuery(string? Module, string? Version, DecisionOutcome? Outcome, int Limit)
{
    public string? Rule { get; init; }

    public string? Actor { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public long? Before { get; init; }
}
