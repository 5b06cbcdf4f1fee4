using System.Globalization;

namespace SecureGateway.Reports;

/// <summary>The half-open period [<see cref="From"/>, <see cref="To"/>) a report covers, in UTC.</summary>
public sealed record ReportPeriod(DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>Without <c>from</c> and <c>to</c>: the last 30 days.</summary>
    public static readonly TimeSpan DefaultLength = TimeSpan.FromDays(30);

    private static readonly string[] Iso8601 =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>
    /// Parses <paramref name="from"/> and <paramref name="to"/> (ISO 8601 dates or times; without an offset, UTC).
    /// <c>to</c> defaults to <paramref name="now"/>, <c>from</c> to 30 days before <c>to</c>. Null with
    /// <paramref name="error"/> naming every bad value when they do not parse or <c>from</c> is not before <c>to</c>.
    /// </summary>
    public static ReportPeriod? Parse(string? from, string? to, DateTimeOffset now, out string? error)
    {
        var errors = new List<string>();
        var (parsedFrom, parsedTo) = (Time("from", from, errors), Time("to", to, errors));
        var end = parsedTo ?? now.ToUniversalTime();
        var start = parsedFrom ?? end - DefaultLength;
        if (errors.Count == 0 && start >= end)
        {
            errors.Add($"from ({start:yyyy-MM-dd'T'HH:mm:ss'Z'}) must be earlier than to ({end:yyyy-MM-dd'T'HH:mm:ss'Z'})");
        }

        error = errors.Count == 0 ? null : string.Join("; ", errors);
        return error is null ? new ReportPeriod(start, end) : null;
    }

    private static DateTimeOffset? Time(string name, string? text, List<string> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(text, Iso8601, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        errors.Add($"{name} must be an ISO 8601 date or time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z), not \"{text}\"");
        return null;
    }
}
