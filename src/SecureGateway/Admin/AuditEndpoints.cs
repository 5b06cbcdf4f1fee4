using System.Globalization;
using SecureGateway.Audit;
using SecureGateway.Data.Events;
using SecureGateway.Hosting;

namespace SecureGateway.Admin;

public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/audit/verify", VerifyAsync).RequireAuthorization(AdminPolicies.Read).WithTags("audit")
            .WithSummary("Walk the hash chain of decisions and audit events: ok, rows, firstBroken");
        admin.MapGet("/audit/checkpoint", CheckpointAsync).RequireAuthorization(AdminPolicies.Read).WithTags("audit")
            .WithSummary("A signed checkpoint of the audit chains now (signed note: each chain's length and last row hash, and the time)");
        admin.MapGet("/audit/events", ListEventsAsync).RequireAuthorization(AdminPolicies.Read).WithTags("audit")
            .WithSummary("Audit events: checksum-DB forks and head resets, policy bundles, tokens, re-evaluation runs");
        return admin;
    }

    /// <summary>GET /admin/audit/verify — <c>{ ok, rows, firstBroken, table, reason }</c>; 200 whether or not the chain holds.</summary>
    private static async Task<IResult> VerifyAsync(AuditChain chain, CancellationToken cancellationToken) =>
        TypedResults.Ok(await chain.VerifyAsync(cancellationToken));

    /// <summary>GET /admin/audit/checkpoint — text/plain signed note; its verifier key is in <c>X-Checkpoint-Verifier-Key</c>.</summary>
    private static async Task<IResult> CheckpointAsync(AuditCheckpoints checkpoints, HttpContext context, CancellationToken cancellationToken)
    {
        var checkpoint = await checkpoints.CreateAsync(cancellationToken);
        context.Response.Headers["X-Checkpoint-Verifier-Key"] = checkpoints.VerifierKey;
        return TypedResults.Text(checkpoint.Note, "text/plain; charset=utf-8");
    }

    /// <summary>GET /admin/audit/events?kind=&amp;from=&amp;to=&amp;limit=&amp;before= — newest first; <c>next</c> is the <c>before</c> of the next page.</summary>
    private static async Task<IResult> ListEventsAsync(
        AuditEventLog events, string? kind, string? from, string? to, string? limit, string? before,
        CancellationToken cancellationToken)
    {
        var parameters = new AdminQueryParameters();
        var (start, end) = parameters.TimeRange(from, to);
        var page = parameters.Page(limit, before);
        if (parameters.Invalid is { } invalid)
        {
            return invalid;
        }

        var items = await events.FindAsync(new AuditEventQuery(kind, page.Limit + 1) { From = start, To = end, Before = page.Before }, cancellationToken);
        return TypedResults.Ok(new { items = page.Items(items).Select(AuditEventView.From), next = page.Next(items, e => e.Id) });
    }
}

/// <summary>An audit event as the admin API shows it.</summary>
internal sealed record AuditEventView(
    long Id, DateTimeOffset Time, string Kind, string Actor, string Subject, string Summary, string? Evidence, long ChainSeq, string? RowHash)
{
    public static AuditEventView From(AuditEvent e) => new(e.Id, e.Time, e.Kind, e.Actor, e.Subject, e.Summary, e.Evidence, e.ChainSeq, e.RowHash);
}

/// <summary>
/// The admin API's query parameters that more than one listing takes, parsed from their text so a bad value is a
/// 400 with <c>{ "error" }</c> naming every bad parameter, not a binding failure.
/// </summary>
internal sealed class AdminQueryParameters
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    private readonly List<string> errors = [];

    /// <summary>400 naming every bad parameter, or null when all parsed.</summary>
    public IResult? Invalid => errors.Count == 0 ? null : TypedResults.BadRequest(new AdminError(string.Join("; ", errors)));

    public void Error(string error) => errors.Add(error);

    /// <summary>Every problem found so far, for a page that shows them rather than answering 400.</summary>
    public IReadOnlyList<string> Errors => errors;

    /// <summary><c>limit</c> (1..1000, default 100) and the <c>before</c> cursor (an id: only older rows).</summary>
    public AdminPage Page(string? limit, string? before)
    {
        var take = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
        {
            errors.Add($"limit must be between 1 and {MaxLimit}, not \"{limit}\"");
        }

        long? cursor = null;
        if (before is not null)
        {
            if (long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                cursor = id;
            }
            else
            {
                errors.Add($"before must be an id (a positive integer), not \"{before}\"");
            }
        }

        return new AdminPage(take, cursor);
    }

    /// <summary><c>from</c> (inclusive) and <c>to</c> (exclusive), ISO 8601; without an offset, UTC.</summary>
    public (DateTimeOffset? From, DateTimeOffset? To) TimeRange(string? from, string? to)
    {
        var (start, end) = (Time("from", from), Time("to", to));
        if (start > end)
        {
            errors.Add("from must not be later than to");
        }

        return (start, end);
    }

    private DateTimeOffset? Time(string name, string? text) => text is null ? null : IsoTime.Parse(name, text, errors);
}

/// <summary>Keyset paging, newest first: fetch <see cref="Limit"/> + 1 rows to learn whether there is a next page.</summary>
internal sealed record AdminPage(int Limit, long? Before)
{
    public IEnumerable<T> Items<T>(IReadOnlyList<T> fetched) => fetched.Take(Limit);

    /// <summary>The <c>before</c> of the next page, or null on the last.</summary>
    public long? Next<T>(IReadOnlyList<T> fetched, Func<T, long> id) => fetched.Count > Limit ? id(fetched[Limit - 1]) : null;
}
