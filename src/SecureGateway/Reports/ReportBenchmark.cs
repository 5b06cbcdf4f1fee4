using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SecureGateway.Data;
using SecureGateway.Ledger;

namespace SecureGateway.Reports;

/// <summary>One timed report: building it from the database, then rendering each format.</summary>
public sealed record ReportTiming(TimeSpan Build, TimeSpan Json, TimeSpan Csv, TimeSpan Html)
{
    public TimeSpan Total => Build + Json + Csv + Html;
}

/// <summary>
/// Times the compliance report over a synthetic history of a given number of decisions (<c>report bench</c>). The history
/// goes into a scratch database created beside the audit database and dropped afterwards: the audit tables are
/// append-only, so nothing synthetic may ever be written to the real one.
/// </summary>
public sealed class ReportBenchmark(string auditConnectionString, TextWriter progress)
{
    private static readonly TimeSpan HistorySpan = TimeSpan.FromDays(90);

    public async Task<IReadOnlyList<ReportTiming>> RunAsync(int decisions, int runs, CancellationToken cancellationToken)
    {
        var scratch = new NpgsqlConnectionStringBuilder(auditConnectionString) { Database = $"securegateway_bench_{Guid.NewGuid():N}"[..32] };
        await ExecuteAsync($"CREATE DATABASE \"{scratch.Database}\"", cancellationToken);
        try
        {
            await using var services = new ServiceCollection()
                .AddDbContextFactory<AuditDbContext>(options => options.UseAuditDatabase(scratch.ConnectionString))
                .BuildServiceProvider();
            var contexts = services.GetRequiredService<IDbContextFactory<AuditDbContext>>();
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            {
                await db.Database.MigrateAsync(cancellationToken);

                // The synthetic history is dated over the past months; in a real store the database stamps each head's time.
                await db.Database.ExecuteSqlRawAsync("ALTER TABLE checksum_db_heads DISABLE TRIGGER checksum_db_heads_at_now", cancellationToken);
            }

            var now = TimeProvider.System.GetUtcNow();
            var period = new ReportPeriod(now - HistorySpan, now);
            var seeding = Stopwatch.StartNew();
            var history = new SyntheticAuditHistory(contexts, new LedgerDatabase(() => scratch.ConnectionString), period, decisions);
            await history.SeedAsync(written => Progress($"\rseeding {scratch.Database}: {written:N0} of {decisions:N0} decisions"), cancellationToken);
            Progress($"\rseeded {decisions:N0} decisions and their downloads over {HistorySpan.TotalDays} days in {seeding.Elapsed.TotalSeconds:0.0} s\n");

            var builder = new ComplianceReportBuilder(contexts, TimeProvider.System);
            List<ReportTiming> timings = [];
            for (var run = 0; run < runs; run++)
            {
                timings.Add(await TimeAsync(builder, period, decisions, cancellationToken));
            }

            return timings;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync($"DROP DATABASE IF EXISTS \"{scratch.Database}\" WITH (FORCE)", CancellationToken.None);
        }
    }

    private static async Task<ReportTiming> TimeAsync(ComplianceReportBuilder builder, ReportPeriod period, int decisions, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var report = await builder.BuildAsync(period, cancellationToken);
        var built = clock.Elapsed;
        if (report.Outcomes.Decisions != decisions)
        {
            throw new InvalidOperationException($"the report counted {report.Outcomes.Decisions} decisions; {decisions} were written");
        }

        var json = Render(report, ReportFormat.Json);
        var csv = Render(report, ReportFormat.Csv);
        var html = Render(report, ReportFormat.Html);
        return new ReportTiming(built, json, csv, html);
    }

    private static TimeSpan Render(ComplianceReport report, ReportFormat format)
    {
        var clock = Stopwatch.StartNew();
        _ = ReportRenderer.Render(report, format);
        return clock.Elapsed;
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(auditConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private void Progress(string text)
    {
        progress.Write(text);
        progress.Flush();
    }
}
