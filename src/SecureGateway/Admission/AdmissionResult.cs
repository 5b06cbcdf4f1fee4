using System.Text;
using SecureGateway.Data.Decisions;
using SecureGateway.Upstream;

namespace SecureGateway.Admission;

public enum AdmissionStatus
{
    /// <summary>The version is in the cache and may be served.</summary>
    Admitted,

    /// <summary>A recorded decision refuses the version (403).</summary>
    Refused,

    /// <summary>Upstream says the module or version does not exist (404, so the go command may try its next proxy).</summary>
    NotFound,

    /// <summary>Upstream failed; nothing was decided or cached (502).</summary>
    UpstreamFailed,

    /// <summary>Upstream stayed silent too long; nothing was decided or cached (504).</summary>
    UpstreamTimedOut,

    /// <summary>The gateway cannot decide or record right now (503); it does not admit what it cannot record.</summary>
    Unavailable,
}

/// <summary>What happened to a request for a module version, with the text the go user is shown when it is not served.</summary>
public sealed record AdmissionResult(AdmissionStatus Status, string Message)
{
    /// <summary>When to ask again (HTTP <c>Retry-After</c>), for refusals that are about load, not about the module.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The go command shows at most 8 lines of a refusal; keep room for the "and N more" line.</summary>
    private const int MaxReasonLines = 7;

    public static readonly AdmissionResult Admitted = new(AdmissionStatus.Admitted, "admitted");

    /// <summary>
    /// The first reason and the decision id on the first line, then further reasons one per line: the go command prints
    /// the body after <c>server response:</c> and stops at the first blank line.
    /// </summary>
    public static AdmissionResult From(Decision decision)
    {
        var outcome = decision.Outcome.ToString().ToLowerInvariant();
        var reasons = decision.Reasons.Count > 0 ? decision.Reasons : [$"{decision.Module}@{decision.Version} was {outcome}"];
        var text = new StringBuilder($"{outcome}: {OneLine(reasons[0])} (decision {decision.Id})");
        foreach (var reason in reasons.Skip(1).Take(MaxReasonLines - 1))
        {
            text.Append('\n').Append(OneLine(reason));
        }

        if (reasons.Count > MaxReasonLines)
        {
            text.Append($"\n… and {reasons.Count - MaxReasonLines} more reasons (see decision {decision.Id})");
        }

        return new(AdmissionStatus.Refused, text.ToString());
    }

    /// <summary>
    /// An upstream failure in the go user's words; null when the fetch succeeded. An over-size artefact is a
    /// <see cref="AdmissionStatus.Refused"/> (a fact about the module, to be recorded); other failures decide nothing.
    /// </summary>
    public static AdmissionResult? FromUpstream(UpstreamFetch fetch) => fetch.Status switch
    {
        UpstreamStatus.Ok => null,
        UpstreamStatus.NotFound => new(AdmissionStatus.NotFound, $"not found: {fetch.Detail}"),
        UpstreamStatus.TimedOut => new(AdmissionStatus.UpstreamTimedOut, $"upstream timeout: {fetch.Detail}"),
        UpstreamStatus.TooLarge => new(AdmissionStatus.Refused, $"size limit: {fetch.Detail}"),
        _ => new(AdmissionStatus.UpstreamFailed, $"upstream error: {fetch.Detail}"),
    };

    private static string OneLine(string reason) =>
        string.Concat(reason.Select(c => char.IsControl(c) ? ' ' : c));
}
