using SecureGateway.Hosting;

namespace SecureGateway.Reports;

/// <summary>The half-open period [<see cref="From"/>, <see cref="To"/>) a report covers, in UTC.</summary>
public sealed record ReportPeriod(DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>Without <c>from</c> and <c>to</c>: the last 30 days.</summary>
    public static readonly TimeSpan DefaultLength = TimeSpan.FromDays(30);

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

    private static DateTimeOffset? Time(string name, string? text, List<string> errors) =>
        string.IsNullOrEmpty(text) ? null : IsoTime.Parse(name, text, errors);
}
