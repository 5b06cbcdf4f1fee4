using System.CommandLine;
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
}
