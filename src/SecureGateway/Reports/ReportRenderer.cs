namespace SecureGateway.Reports;

/// <summary>Parses <see cref="ReportFormat"/> names and renders a report in any of them.</summary>
public static class ReportRenderer
{
    /// <summary><c>json</c>, <c>csv</c> or <c>html</c> (any case); null when <paramref name="name"/> is none of them.</summary>
    public static ReportFormat? ParseFormat(string? name) => name?.ToUpperInvariant() switch
    {
        "JSON" => ReportFormat.Json,
        "CSV" => ReportFormat.Csv,
        "HTML" => ReportFormat.Html,
        _ => null,
    };

    public static string ContentType(ReportFormat format) => format switch
    {
        ReportFormat.Csv => "text/csv; charset=utf-8",
        ReportFormat.Html => "text/html; charset=utf-8",
        _ => "application/json; charset=utf-8",
    };

    /// <summary>A file name for the report, e.g. <c>compliance-2026-01-01-2026-02-01.csv</c> (the end is exclusive).</summary>
    public static string FileName(ComplianceReport report, ReportFormat format)
    {
        ArgumentNullException.ThrowIfNull(report);
        return $"compliance-{report.Period.From:yyyy-MM-dd}-{report.Period.To:yyyy-MM-dd}.{format.ToString().ToLowerInvariant()}";
    }

    public static string Render(ComplianceReport report, ReportFormat format) => format switch
    {
        ReportFormat.Csv => CsvReport.Render(report),
        ReportFormat.Html => HtmlReport.Render(report),
        _ => JsonReport.Render(report),
    };
}
