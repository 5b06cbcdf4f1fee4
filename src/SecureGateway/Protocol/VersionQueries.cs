using System.Text;
using System.Text.Json;
using SecureGateway.Admission;
using SecureGateway.Modules;
using SecureGateway.Policy;
using SecureGateway.Storage;
using SecureGateway.Upstream;

namespace SecureGateway.Protocol;

/// <summary>
/// <c>@v/list</c> and <c>@latest</c>: asked of upstream, merged with the versions admitted here, and answered from
/// those alone when upstream is down, so builds keep working offline. Versions a current decision refuses, or the
/// denylist matches, are left out, so the go command never picks them; a revocation moves both at once. Neither admits anything: the go command asks
/// for .info/.mod/.zip of the version it picks, and those go through admission.
/// </summary>
public sealed class VersionQueries(UpstreamRouter upstreams, GatewayStorage storage, ServingDecisions serving, LivePolicy policy, TimeProvider time)
{
    private const long MaxListBytes = 16 << 20;
    private const long MaxLatestBytes = 1 << 20;

    public async Task<IResult> ListAsync(string modulePath, CancellationToken cancellationToken)
    {
        var (fetch, body) = await FetchAsync(modulePath, "@v/list", MaxListBytes, cancellationToken);
        var cached = Admitted(modulePath).Where(v => !ModuleVersions.IsPseudoVersion(v)).ToList();
        if (!fetch.IsOk && (fetch.Status == UpstreamStatus.NotFound || cached.Count == 0))
        {
            return ProxyResults.Refusal(AdmissionResult.FromUpstream(fetch)!);
        }

        var versions = fetch.IsOk ? UpstreamVersions(body).Union(cached) : cached;
        var admissible = Admissible(modulePath, versions);
        return TypedResults.Text(string.Concat(admissible.Order(Comparer<string>.Create(SemanticVersion.Compare)).Select(v => v + "\n")), "text/plain; charset=utf-8");
    }

    public async Task<IResult> LatestAsync(string modulePath, CancellationToken cancellationToken)
    {
        var (fetch, body) = await FetchAsync(modulePath, "@latest", MaxLatestBytes, cancellationToken);
        if (fetch.IsOk)
        {
            if (VersionOf(body) is not { } upstreamLatest)
            {
                return ProxyResults.Text(StatusCodes.Status502BadGateway, $"upstream error: {modulePath}/@latest is not version JSON");
            }

            if (Admissible(modulePath, [upstreamLatest]).Count == 1)
            {
                return TypedResults.Bytes(body, "application/json");
            }
        }
        else if (fetch.Status == UpstreamStatus.NotFound)
        {
            return ProxyResults.Refusal(AdmissionResult.FromUpstream(fetch)!);
        }

        // Upstream's latest is refused, or upstream is down: the highest admissible version we know of.
        var (listFetch, listBody) = fetch.IsOk ? await FetchAsync(modulePath, "@v/list", MaxListBytes, cancellationToken) : (fetch, []);
        var known = Admitted(modulePath).Union(listFetch.IsOk ? UpstreamVersions(listBody) : []);
        var latest = Admissible(modulePath, known).OrderDescending(Comparer<string>.Create(LatestFirst)).FirstOrDefault();
        if (latest is null)
        {
            return fetch.IsOk
                ? ProxyResults.Text(StatusCodes.Status404NotFound, $"not found: {modulePath} has no admissible version")
                : ProxyResults.Refusal(AdmissionResult.FromUpstream(fetch)!);
        }

        var info = storage.Cache.PathOf(new ModuleVersion(modulePath, latest), ArtefactKind.Info);
        return File.Exists(info)
            ? TypedResults.PhysicalFile(info, "application/json")
            : TypedResults.Json(new Dictionary<string, string> { ["Version"] = latest });
    }

    /// <summary>Versions of the module whose current decision admits them.</summary>
    private IEnumerable<string> Admitted(string modulePath) =>
        serving.VersionsOf(modulePath).Where(v => v.Value.Admits).Select(v => v.Key);

    /// <summary>
    /// Drops versions whose current decision refuses them (unless it is provisional: the next request decides afresh)
    /// and versions the live denylist matches.
    /// </summary>
    private List<string> Admissible(string modulePath, IEnumerable<string> versions)
    {
        var decided = serving.VersionsOf(modulePath);
        var denylist = policy.Current?.Denylist;
        var now = time.GetUtcNow();
        return versions
            .Distinct(StringComparer.Ordinal)
            .Where(v => (!decided.TryGetValue(v, out var current) || current.Admits || current.IsProvisional(now)) && denylist?.Match(modulePath, v) is null)
            .ToList();
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

    private static string? VersionOf(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("Version", out var version)
                && version.ValueKind == JsonValueKind.String
                && SemanticVersion.IsValid(version.GetString()!)
                    ? version.GetString()
                    : null;
        }
        catch (JsonException)
        {
            return null;
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
