using System.Text.Json;
using SecureGateway.Audit;
using SecureGateway.Data.Decisions;

namespace SecureGateway.Admin;

public static class AdminEndpoints
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("/admin").AddEndpointFilter<AdminTokenFilter>();
        admin.MapGet("/decisions", ListDecisionsAsync);
        return endpoints;
    }

    /// <summary>GET /admin/decisions?module=&amp;version=&amp;outcome=&amp;limit= — newest first.</summary>
    private static async Task<IResult> ListDecisionsAsync(
        DecisionLog decisions, string? module, string? version, string? outcome, int? limit, CancellationToken cancellationToken)
    {
        DecisionOutcome? parsedOutcome = null;
        if (outcome is not null)
        {
            if (!Enum.TryParse<DecisionOutcome>(outcome, ignoreCase: true, out var value) || !Enum.IsDefined(value))
            {
                return TypedResults.BadRequest(new AdminError($"outcome must be admitted, denied or quarantined, not \"{outcome}\""));
            }

            parsedOutcome = value;
        }

        if (limit is < 1 or > MaxLimit)
        {
            return TypedResults.BadRequest(new AdminError($"limit must be between 1 and {MaxLimit}"));
        }

        var items = await decisions.FindAsync(new(module, version, parsedOutcome, limit ?? DefaultLimit), cancellationToken);
        return TypedResults.Ok(new { items = items.Select(DecisionView.From) });
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
    string Actor)
{
    public static DecisionView From(Decision d) => new(
        d.Id, d.Time, d.Module, d.Version, d.Outcome.ToString().ToLowerInvariant(), d.Reasons,
        d.ZipHash, d.GoModHash, d.ZipSize, d.GoModSize, d.FileCount, d.Upstream,
        d.ChecksumDb, d.ChecksumDbTreeSize, d.ChecksumDbTreeHash, d.ChecksumDbRecordId,
        d.PolicyRevision, Json(d.RuleResults), Json(d.Facts), d.Justification, d.Actor);

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
