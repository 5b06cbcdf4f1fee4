using System.Text;
using SecureGateway.Reports;

namespace SecureGateway.Admin;

public static class ReportEndpoints
{
    public static RouteGroupBuilder MapReportApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/reports/compliance", ComplianceAsync)
            .RequireAuthorization(AdminPolicies.Read)
            .WithTags("reports")
            .WithSummary("Compliance report over [from, to): JSON, CSV or a self-contained HTML page")
            .Produces<ComplianceReport>(StatusCodes.Status200OK, "application/json", "text/csv", "text/html")
            .Produces<AdminError>(StatusCodes.Status400BadRequest);
        return admin;
    }

    /// <summary>
    /// GET /admin/reports/compliance?from=&amp;to=&amp;format=json|csv|html — the period [from, to) in ISO 8601 (default: the
    /// 30 days up to now). JSON is the report itself; CSV comes as an attachment; HTML is one self-contained page.
    /// </summary>
    internal static async Task<IResult> ComplianceAsync(
        ComplianceReportBuilder reports, TimeProvider time, HttpContext context, string? from, string? to, string? format,
        CancellationToken cancellationToken)
    {
        var period = ReportPeriod.Parse(from, to, time.GetUtcNow(), out var error);
        var parsedFormat = format is null ? ReportFormat.Json : ReportRenderer.ParseFormat(format);
        if (parsedFormat is null)
        {
            error = (error is null ? "" : error + "; ") + $"format must be json, csv or html, not \"{format}\"";
        }

        if (period is null || parsedFormat is not { } chosen)
        {
            return TypedResults.BadRequest(new AdminError(error!));
        }

        var report = await reports.BuildAsync(period, cancellationToken);
        var content = ReportRenderer.Render(report, chosen);
        var contentType = ReportRenderer.ContentType(chosen);
        if (chosen == ReportFormat.Csv)
        {
            return TypedResults.File(Encoding.UTF8.GetBytes(content), contentType, ReportRenderer.FileName(report, chosen));
        }

        if (chosen == ReportFormat.Html)
        {
            context.Response.Headers.ContentSecurityPolicy = HtmlReport.ContentSecurityPolicy;
        }

        return TypedResults.Text(content, contentType);
    }
}
