using Microsoft.EntityFrameworkCore;
using SecureGateway.Coordination;
using SecureGateway.Data;
using SecureGateway.Data.Decisions;

namespace SecureGateway.Audit;

/// <summary>Reads and appends decisions in the audit store. Decisions are never updated: the latest row is the state.</summary>
public sealed class DecisionLog(IDbContextFactory<AuditDbContext> contexts)
{
    // The decisions' columns as the EF model maps them, for the statements an admission sends in plain SQL.
    private readonly Lazy<DecisionRows> rows = new(() =>
    {
        using var db = contexts.CreateDbContext();
        return DecisionRows.For(db.Model);
    });

    public async Task<Decision> RecordAsync(Decision decision, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Decisions.Add(decision);
        await db.SaveChangesAsync(cancellationToken);
        return decision;
    }

    /// <summary>
    /// Records <paramref name="decision"/> unless its version has a decision newer than <paramref name="previousId"/> (null:
    /// none at all), in one round trip: the check and the insert run under the decision lock <paramref name="lockKey"/>,
    /// taken for their transaction (the lock a reviewer's act holds for its session). Null when another decision came.
    /// </summary>
    public Task<Decision?> RecordUnlessSupersededAsync(Decision decision, long? previousId, long lockKey, CancellationToken cancellationToken) =>
        contexts.WithConnectionAsync(
            async connection => await rows.Value.InsertUnlessSupersededAsync(connection, decision, previousId, lockKey, cancellationToken) ? decision : null,
            cancellationToken);

    public async Task<Decision?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Decisions.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
    }

    /// <summary>The version's latest decision, read in the round trip of another command (an admission's claim).</summary>
    public BatchedRead<Decision?> LatestRead(string module, string version)
    {
        var (command, read) = rows.Value.Latest(module, version);
        return new(command, read);
    }

    public async Task<Decision?> LatestAsync(string module, string version, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Decisions.AsNoTracking()
            .Where(d => d.Module == module && d.Version == version)
            .OrderByDescending(d => d.Id)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// Every version's current decision with only what serving needs (no facts, no evidence), streamed: a decision no
    /// later one of its module version supersedes (an anti-join the (module, version, id) index answers).
    /// </summary>
    public async IAsyncEnumerable<Decision> CurrentForServingAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var current = db.Decisions.AsNoTracking()
            .Where(d => !db.Decisions.Any(later => later.Module == d.Module && later.Version == d.Version && later.Id > d.Id));
        await foreach (var decision in ForServing(current).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            yield return decision;
        }
    }

    /// <summary>The decisions with these ids, with only what serving needs, in id order.</summary>
    public async Task<IReadOnlyList<Decision>> ForServingAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await ForServing(db.Decisions.AsNoTracking().Where(d => ids.Contains(d.Id))).OrderBy(d => d.Id).ToListAsync(cancellationToken);
    }

    /// <summary>Every version of <paramref name="module"/> ever decided.</summary>
    public async Task<IReadOnlyList<string>> VersionsAsync(string module, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Decisions.AsNoTracking().Where(d => d.Module == module).Select(d => d.Version).Distinct().ToListAsync(cancellationToken);
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

    private static IQueryable<Decision> ForServing(IQueryable<Decision> decisions) => decisions.Select(d => new Decision
    {
        Id = d.Id,
        Module = d.Module,
        Version = d.Version,
        Outcome = d.Outcome,
        Reasons = d.Reasons,
        ZipHash = d.ZipHash,
        GoModHash = d.GoModHash,
        RedecideAfter = d.RedecideAfter,
        Actor = d.Actor,
    });

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
