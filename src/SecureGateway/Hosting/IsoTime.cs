using System.Globalization;

namespace SecureGateway.Hosting;

/// <summary>The one reading of a time the admin API and the CLI accept: an ISO 8601 date or time, UTC when it has no offset.</summary>
internal static class IsoTime
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>The time in UTC, or null with an error naming the parameter <paramref name="name"/> added to <paramref name="errors"/>.</summary>
    public static DateTimeOffset? Parse(string name, string text, ICollection<string> errors)
    {
        if (DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        errors.Add($"{name} must be an ISO 8601 date or time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z), not \"{text}\"");
        return null;
    }
}
