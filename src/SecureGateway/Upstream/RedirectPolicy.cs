namespace SecureGateway.Upstream;

/// <summary>
/// Where an upstream may send a fetch by redirect (a GOPROXY may serve zips from a CDN), <c>Gateway:UpstreamRedirectHosts</c>:
/// never from https to http (a downgrade hands the bytes to anyone on the path), plain http only to the upstream's own
/// host, https to any host unless the setting lists the hosts allowed (<c>cdn.example.com,*.cloudfront.net</c>).
/// </summary>
public sealed class RedirectPolicy
{
    public const string Key = "Gateway:UpstreamRedirectHosts";

    private readonly IReadOnlyList<string> allowedHosts;

    private RedirectPolicy(IReadOnlyList<string> allowedHosts) => this.allowedHosts = allowedHosts;

    /// <param name="hosts">Comma-separated host names, <c>*.</c> for any subdomain; empty or null: any https host.</param>
    public static RedirectPolicy From(string? hosts) =>
        new([.. (hosts ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(h => h.ToLowerInvariant())]);

    /// <summary>Why the redirect from <paramref name="current"/> to <paramref name="target"/> is refused; null when it may be followed.</summary>
    /// <param name="origin">The URL first asked for: its host is the upstream's own.</param>
    public string? Refusal(Uri origin, Uri current, Uri target)
    {
        if (target.Scheme is not ("http" or "https"))
        {
            return $"redirect to an unsupported {target.Scheme} URL refused";
        }

        var ownHost = string.Equals(origin.IdnHost, target.IdnHost, StringComparison.OrdinalIgnoreCase) && origin.Port == target.Port;
        if (target.Scheme == "http")
        {
            return current.Scheme == "https" ? $"redirect from https to http://{target.Authority} refused (a downgrade)"
                : ownHost ? null
                : $"redirect to http://{target.Authority} refused: plain http only to the upstream's own host";
        }

        return allowedHosts.Count == 0 || ownHost || allowedHosts.Any(host => Matches(host, target.IdnHost))
            ? null
            : $"redirect to {target.IdnHost} refused: not in {Key}";
    }

    private static bool Matches(string allowed, string host) =>
        allowed.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(allowed, host, StringComparison.OrdinalIgnoreCase);
}
