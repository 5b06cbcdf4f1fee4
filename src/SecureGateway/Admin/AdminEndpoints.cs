using System.Text.Json;
using SecureGateway.Audit;
using SecureGateway.Data.Decisions;

namespace SecureGateway.Admin;

public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("/admin").RequireAuthorization(AdminPolicies.Read);
        admin.MapGet("/decisions", ListDecisionsAsync).WithTags("decisions")
            .WithSummary("Decisions newest first, filtered by module, version, outcome, rule, actor and time, paged with before/next");
        admin.MapQuarantineApi();
        admin.MapReevaluationApi();
        admin.MapRevocationApi();
        admin.MapConsumersApi();
        admin.MapAuditApi();
        admin.MapReportApi();
        return endpoints;
    }

    /// <summary>
    /// GET /admin/decisions?module=&amp;version=&amp;outcome=&amp;rule=&amp;actor=&amp;from=&amp;to=&amp;limit=&amp;before= — newest first;
    /// <c>rule</c>: decisions that rule quarantined or denied; <c>next</c> is the <c>before</c> of the next page.
    /// </summary>
    private static async Task<IResult> ListDecisionsAsync(
        DecisionLog decisions, string? module, string? version, string? outcome, string? rule, string? actor,
        string? from, string? to, string? limit, string? before, CancellationToken cancellationToken)
    {
        var parameters = new AdminQueryParameters();
        var (query, page) = DecisionFilter(parameters, module, version, outcome, rule, actor, from, to, limit, before);
        if (parameters.Invalid is { } invalid)
        {
            return invalid;
        }

        var items = await decisions.FindAsync(query, cancellationToken);
        return TypedResults.Ok(new { items = page.Items(items).Select(DecisionView.From), next = page.Next(items, d => d.Id) });
    }

    /// <summary>
    /// The decision filters of <c>GET /admin/decisions</c> (and the console's decisions page) as a query asking for one row
    /// more than the page, so the page knows whether another follows; problems are collected in <paramref name="parameters"/>.
    /// </summary>
    internal static (DecisionQuery Query, AdminPage Page) DecisionFilter(
        AdminQueryParameters parameters, string? module, string? version, string? outcome, string? rule, string? actor,
        string? from, string? to, string? limit, string? before)
    {
        DecisionOutcome? parsedOutcome = outcome is null
            ? null
            : Enum.GetValues<DecisionOutcome>().Cast<DecisionOutcome?>().FirstOrDefault(o => string.Equals(o.ToString(), outcome, StringComparison.OrdinalIgnoreCase));
        if (outcome is not null && parsedOutcome is null)
        {
            parameters.Error($"outcome must be admitted, denied or quarantined, not \"{outcome}\"");
        }

        if (rule is "")
        {
            parameters.Error("rule must name a policy rule (its file name without .js)");
        }

        var (start, end) = parameters.TimeRange(from, to);
        var page = parameters.Page(limit, before);
        var query = new DecisionQuery(module, version, parsedOutcome, page.Limit + 1)
        {
            Rule = rule, Actor = actor, From = start, To = end, Before = page.Before,
        };
        return (query, page);
    }
}

/// <summary>A decision as the admin API shows it; outcome as its lower-case name.</summary>
internal sealed record DecisionView(
    long Id,
    DateTimeOffset Time,
    string Module,
    string Version,
    string Outcome,
    IReadOnlyList<string> Reasons,
    string? ZipHash,
    string? GoModHash,
    long? ZipSize,
    long? GoModSize,
    int? FileCount,
    string? Upstream,
    string? ChecksumDb,
    long? ChecksumDbTreeSize,
    string? ChecksumDbTreeHash,
    long? ChecksumDbRecordId,
    string? PolicyRevision,
    JsonElement? RuleResults,
    JsonElement? Facts,
    string? Justification,
    string Actor,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RedecideAfter,
    string? RowHash)
{
    public static DecisionView From(Decision d) => new(
        d.Id, d.Time, d.Module, d.Version, d.Outcome.ToString().ToLowerInvariant(), d.Reasons,
        d.ZipHash, d.GoModHash, d.ZipSize, d.GoModSize, d.FileCount, d.Upstream,
        d.ChecksumDb, d.ChecksumDbTreeSize, d.ChecksumDbTreeHash, d.ChecksumDbRecordId,
        d.PolicyRevision, Json(d.RuleResults), Json(d.Facts), d.Justification, d.Actor, d.ExpiresAt, d.RedecideAfter, d.RowHash);

    private static JsonElement? Json(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <summary>The admin API's error body: <c>{ "error": "…" }</c>.</summary>
internal sealed record AdminError(string Error);
