namespace SecureGateway.Facts;

internal static class FactSourceSettings
{
    /// <summary>Whether a source setting turns the source off: empty, blank or <c>off</c>.</summary>
    public static bool IsOff(string? value) =>
        string.IsNullOrWhiteSpace(value) || value.Trim().Equals("off", StringComparison.OrdinalIgnoreCase);

    /// <summary>An http(s) base URL ending in '/', or null when the setting is off.</summary>
    /// <exception cref="InvalidOperationException">Neither off nor an http(s) URL; the message names <paramref name="key"/>.</exception>
    public static Uri? HttpUrl(string? value, string key)
    {
        if (IsOff(value))
        {
            return null;
        }

        return Uri.TryCreate(value!.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? new Uri(uri.AbsoluteUri.TrimEnd('/') + "/")
            : throw new InvalidOperationException($"{key} {value}: use an https:// URL, or off");
    }
}
