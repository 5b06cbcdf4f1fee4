using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using SecureGateway.Coordination;
using SecureGateway.Data;
using SecureGateway.Policy;
using SecureGateway.Upstream;

namespace SecureGateway.Facts;

/// <summary>
/// How current the synced fact sources are, shared by every gateway process on one database: each successful sync
/// (background, catch-up or the CLI) is recorded in <c>fact_syncs</c>, and the facts, the policies and <c>/readyz</c>
/// read it back. A source that never synced, or not within its <c>MaxAge</c>, is missing or stale data, never "nothing
/// known against this version".
/// </summary>
public sealed class FactFreshness(
    IDbContextFactory<AuditDbContext> contexts,
    IOptions<VulnDbOptions> vulnDb,
    IOptions<ModuleIndexOptions> index,
    IOptions<MaliciousPackagesOptions> malicious,
    TimeProvider time)
{
    public const string Vulnerabilities = "vulnerabilities";
    public const string Index = "index";
    public const string Malicious = "malicious";

    // Sources as shown in facts and /readyz: credentials in a mirror's URL stay out of both.
    private readonly string? vulnDbSource = Shown(VulnDbSource.Create(vulnDb.Value.Source, () => throw new InvalidOperationException())?.Name);
    private readonly string? indexSource = Shown(FactSourceSettings.HttpUrl(index.Value.Url, $"{ModuleIndexOptions.Section}:Url")?.AbsoluteUri.TrimEnd('/'));
    private readonly string? maliciousSource = Shown(MaliciousPackages.SourceOf(malicious.Value.Source));

    /// <summary>Records that <paramref name="kind"/> synced successfully from <paramref name="source"/>; a later record is never replaced by an earlier one.</summary>
    public async Task RecordAsync(string kind, string source, int? entries, DateTimeOffset completedAt, CancellationToken cancellationToken)
    {
        source = RedactedUrl.Of(source);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO fact_syncs (kind, source, completed_at, entries) VALUES ({kind}, {source}, {completedAt}, {entries})
            ON CONFLICT (kind) DO UPDATE SET source = excluded.source, completed_at = excluded.completed_at, entries = excluded.entries
            WHERE fact_syncs.completed_at <= excluded.completed_at
            """,
            cancellationToken);
    }

    /// <summary>Each source's state now, against the limits configured for this process.</summary>
    /// <remarks>Database errors propagate: a caller that owes an answer fails closed.</remarks>
    public Task<DataFreshness> CurrentAsync(CancellationToken cancellationToken) => CurrentRead().RunAsync(contexts, cancellationToken);

    /// <summary><see cref="CurrentAsync"/> as a statement to run in the round trip of another command (an admission's claim).</summary>
    public BatchedRead<DataFreshness> CurrentRead() => new(
        new NpgsqlBatchCommand("SELECT kind, completed_at, entries FROM fact_syncs"),
        async (reader, cancellationToken) =>
        {
            var syncs = new Dictionary<string, (DateTimeOffset, int?)>(StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken))
            {
                syncs[reader.GetString(0)] = (reader.GetFieldValue<DateTimeOffset>(1), await reader.IsDBNullAsync(2, cancellationToken) ? null : reader.GetInt32(2));
            }

            return FromSyncs(syncs);
        });

    private DataFreshness FromSyncs(Dictionary<string, (DateTimeOffset CompletedAt, int? Entries)> syncs)
    {
        var now = time.GetUtcNow();
        SourceFreshness Of(string kind, string? configured, TimeSpan maxAge) =>
            syncs.TryGetValue(kind, out var last)
                ? SourceFreshness.Of(configured, last.CompletedAt, last.Entries, maxAge, now)
                : SourceFreshness.Of(configured, null, null, maxAge, now);
        return new DataFreshness(
            Of(Vulnerabilities, vulnDbSource, vulnDb.Value.MaxAge),
            Of(Index, indexSource, index.Value.MaxAge),
            Of(Malicious, maliciousSource, malicious.Value.MaxAge));
    }

    private static string? Shown(string? source) => source is null ? null : RedactedUrl.Of(source);
}
