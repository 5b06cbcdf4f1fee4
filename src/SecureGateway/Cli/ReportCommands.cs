using System.CommandLine;
using SecureGateway.Hosting;
using SecureGateway.Reports;

namespace SecureGateway.Cli;

/// <summary><c>report --from --to --format json|csv|html [--out FILE]</c>: the compliance report, to a file or standard output.</summary>
internal static class ReportCommands
{
    public static Command Create(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var from = new Option<string>("--from") { Description = "Start of the period, ISO 8601 (2026-01-01 or 2026-01-01T00:00:00Z); default: 30 days before --to." };
        var to = new Option<string>("--to") { Description = "End of the period, exclusive, ISO 8601; default: now." };
        var format = new Option<string>("--format") { Description = "json, csv or html.", DefaultValueFactory = _ => "json" };
        format.AcceptOnlyFromAmong("json", "csv", "html");
        var output = new Option<FileInfo>("--out") { Description = "Write the report to this file instead of standard output." };
        var command = new Command("report", "Compliance report over a period: outcomes, rules, licences, quarantine, releases, denials, policy, checksum DB, consumers.")
        {
            from, to, format, output,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.Subcommands.Add(Bench(withDatabase));
        command.SetAction((parse, cancellationToken) =>
        {
            // Checked before the database starts; computed again below with the gateway's clock.
            if (ReportPeriod.Parse(parse.GetValue(from), parse.GetValue(to), DateTimeOffset.UtcNow, out var error) is null)
            {
                Console.Error.WriteLine(error);
                return Task.FromResult(2);
            }

            var chosen = ReportRenderer.ParseFormat(parse.GetValue(format)) ?? ReportFormat.Json;
            return withDatabase([.. parse.UnmatchedTokens], async (app, ct) =>
            {
                var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
                if (ReportPeriod.Parse(parse.GetValue(from), parse.GetValue(to), now, out var late) is not { } period)
                {
                    await Console.Error.WriteLineAsync(late);
                    return 2;
                }

                var report = await app.Services.GetRequiredService<ComplianceReportBuilder>().BuildAsync(period, ct);
                var text = ReportRenderer.Render(report, chosen);
                if (parse.GetValue(output) is { } file)
                {
                    await File.WriteAllTextAsync(file.FullName, text, ct);
                    Console.Error.WriteLine($"wrote {file.FullName}: {report.Outcomes.Decisions} decisions from {report.Period.From:u} to {report.Period.To:u}");
                }
                else
                {
                    await Console.Out.WriteAsync(text);
                }

                return 0;
            }, cancellationToken);
        });
        return command;
    }

    private static Command Bench(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var decisions = new Option<int>("--decisions") { Description = "Decisions in the synthetic history.", DefaultValueFactory = _ => 100_000 };
        var runs = new Option<int>("--runs") { Description = "Reports to time.", DefaultValueFactory = _ => 3 };
        var command = new Command("bench", "Time the compliance report over a synthetic history, in a scratch database beside the audit database (dropped afterwards).")
        {
            decisions, runs,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) =>
        {
            var (count, times) = (parse.GetValue(decisions), parse.GetValue(runs));
            if (count < 1 || times < 1)
            {
                Console.Error.WriteLine("--decisions and --runs must be at least 1");
                return Task.FromResult(2);
            }

            return withDatabase([.. parse.UnmatchedTokens], async (app, ct) =>
            {
                var benchmark = new ReportBenchmark(app.Services.GetRequiredService<AuditDatabase>().MigrationConnectionString, Console.Error);
                var timings = await benchmark.RunAsync(count, times, ct);
                foreach (var (timing, run) in timings.Select((t, i) => (t, i + 1)))
                {
                    Console.WriteLine(
                        $"run {run}: report over {count:N0} decisions built in {timing.Build.TotalMilliseconds:N0} ms; rendered json {timing.Json.TotalMilliseconds:N0} ms, " +
                        $"csv {timing.Csv.TotalMilliseconds:N0} ms, html {timing.Html.TotalMilliseconds:N0} ms; total {timing.Total.TotalMilliseconds:N0} ms");
                }

                var median = timings.Select(t => t.Total).Order().ElementAt(timings.Count / 2);
                Console.WriteLine($"median total {median.TotalMilliseconds:N0} ms over {timings.Count} runs");
                return 0;
            }, cancellationToken);
        });
        return command;
    }
}
