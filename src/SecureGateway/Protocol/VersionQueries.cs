using System.Text;
using System.Text.Json;
using SecureGateway.Admission;
using SecureGateway.Modules;
using SecureGateway.Storage;
using SecureGateway.Upstream;

namespace SecureGateway.Protocol;

/// <summary>
/// <c>@v/list</c> and <c>@latest</c>: asked of upstream, merged with what the cache holds, and answered from the
/// cache alone when upstream is down, so builds keep working offline. Neither admits anything: the go command
/// asks for .info/.mod/.zip of the version it picks, and those go through admission.
/// </summary>
public sealed class VersionQueries(UpstreamRouter upstreams, GatewayStorage storage)
{
    private const long MaxListBytes = 16 << 20;
    private const long MaxLatestBytes = 1 << 20;

    public async Task<IResult> ListAsync(string modulePath, CancellationToken cancellationToken)
    {
        var (fetch, body) = await FetchAsync(modulePath, "@v/list", MaxListBytes, cancellationToken);
        var cached = storage.Cache.Versions(modulePath).Where(v => !ModuleVersions.IsPseudoVersion(v));
        if (!fetch.IsOk && (fetch.Status == UpstreamStatus.NotFound || !cached.Any()))
        {
            return ProxyResults.Refusal(AdmissionResult.FromUpstream(fetch)!);
        }

        var versions = fetch.IsOk ? UpstreamVersions(body).Union(cached) : cached;
        var sorted = versions.Distinct(StringComparer.Ordinal).Order(Comparer<string>.Create(SemanticVersion.Compare));
        return TypedResults.Text(string.Concat(sorted.Select(v => v + "\n")), "text/plain; charset=utf-8");
    }

    public async Task<IResult> LatestAsync(string modulePath, CancellationToken cancellationToken)
    {
        var (fetch, body) = await FetchAsync(modulePath, "@latest", MaxLatestBytes, cancellationToken);
        if (fetch.IsOk)
        {
            return IsVersionInfo(body)
                ? TypedResults.Bytes(body, "application/json")
                : ProxyResults.Text(StatusCodes.Status502BadGateway, $"upstream error: {modulePath}/@latest is not version JSON");
        }

        var latestCached = storage.Cache.Versions(modulePath).OrderDescending(Comparer<string>.Create(LatestFirst)).FirstOrDefault();
        return fetch.Status == UpstreamStatus.NotFound || latestCached is null
            ? ProxyResults.Refusal(AdmissionResult.FromUpstream(fetch)!)
            : TypedResults.PhysicalFile(storage.Cache.PathOf(new(modulePath, latestCached), ArtefactKind.Info), "application/json");
    }

    private async Task<(UpstreamFetch Fetch, byte[] Body)> FetchAsync(string modulePath, string file, long maxBytes, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        var fetch = await upstreams.For(modulePath)
            .FetchAsync($"{ModuleEscaping.EscapePath(modulePath)}/{file}", body, maxBytes, cancellationToken);
        return (fetch, body.ToArray());
    }

    /// <summary>As the go command reads a list: the first field of each line, when it is a semantic version and not a pseudo-version.</summary>
    private static IEnumerable<string> UpstreamVersions(byte[] body) =>
        Encoding.UTF8.GetString(body)
            .Split('\n')
            .Select(line => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault())
            .OfType<string>()
            .Where(v => SemanticVersion.IsValid(v) && ModuleVersions.CanonicalVersion(v) == v && !ModuleVersions.IsPseudoVersion(v));

    private static bool IsVersionInfo(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("Version", out var version)
                && version.ValueKind == JsonValueKind.String
                && SemanticVersion.IsValid(version.GetString()!);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Orders as the go command picks latest: releases above pre-releases above pseudo-versions, then by semver.</summary>
    private static int LatestFirst(string a, string b)
    {
        static int Rank(string v) => ModuleVersions.IsPseudoVersion(v) ? 0 : SemanticVersion.Prerelease(v).Length > 0 ? 1 : 2;
        var byRank = Rank(a).CompareTo(Rank(b));
        return byRank != 0 ? byRank : SemanticVersion.Compare(a, b);
    }

}
