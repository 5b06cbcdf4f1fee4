using System.Text;
using System.Text.Json;
using SecureGateway.Admission;
using SecureGateway.Audit;
using SecureGateway.Modules;
using SecureGateway.Policy;
using SecureGateway.Storage;
using SecureGateway.Upstream;

namespace SecureGateway.Protocol;

/// <summary>
/// <c>@v/list</c> and <c>@latest</c>: asked of upstream, merged with what the cache holds, and answered from the
/// cache alone when upstream is down, so builds keep working offline. Versions refused by a decision or matched by
/// the denylist are left out, so the go command never picks them. Neither admits anything: the go command asks
/// for .info/.mod/.zip of the version it picks, and those go through admission.
/// </summary>
public sealed class VersionQueries(UpstreamRouter upstreams, GatewayStorage storage, DecisionLog decisions, LivePolicy policy)
{
    private const long MaxListBytes = 16 << 20;
    private const long MaxLatestBytes = 1 << 20;

    public async Task<IResult> ListAsync(string modulePath, CancellationToken cancellationToken)
    {
        var (fetch, body) = await FetchAsync(modulePath, "@v/list", MaxListBytes, cancellationToken);
        var cached = storage.Cache.Versions(modulePath).Where(v => !ModuleVersions.IsPseudoVersion(v)).ToList();
        if (!fetch.IsOk && (fetch.Status == UpstreamStatus.NotFound || cached.Count == 0))
        {
            return ProxyResults.Refusal(AdmissionResult.FromUpstream(fetch)!);
        }

        var versions = fetch.IsOk ? UpstreamVersions(body).Union(cached) : cached;
        var admissible = await AdmissibleAsync(modulePath, versions, cancellationToken);
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

            if ((await AdmissibleAsync(modulePath, [upstreamLatest], cancellationToken)).Count == 1)
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
        var known = storage.Cache.Versions(modulePath).Union(listFetch.IsOk ? UpstreamVersions(listBody) : []);
        var latest = (await AdmissibleAsync(modulePath, known, cancellationToken)).OrderDescending(Comparer<string>.Create(LatestFirst)).FirstOrDefault();
        if (latest is null)
        {
            return fetch.IsOk
                ? ProxyResults.Text(StatusCodes.Status404NotFound, $"not found: {modulePath} has no admissible version")
                : ProxyResults.Refusal(AdmissionResult.FromUpstream(fetch)!);
        }

        var module = new ModuleVersion(modulePath, latest);
        return storage.Cache.Contains(module)
            ? TypedResults.PhysicalFile(storage.Cache.PathOf(module, ArtefactKind.Info), "application/json")
            : TypedResults.Json(new Dictionary<string, string> { ["Version"] = latest });
    }

    /// <summary>Drops versions whose latest decision refused them and versions the live denylist matches.</summary>
    private async Task<IReadOnlyList<string>> AdmissibleAsync(string modulePath, IEnumerable<string> versions, CancellationToken cancellationToken)
    {
        var refused = await decisions.RefusedVersionsAsync(modulePath, cancellationToken);
        var denylist = policy.Current?.Denylist;
        return versions
            .Distinct(StringComparer.Ordinal)
            .Where(v => !refused.Contains(v) && denylist?.Match(modulePath, v) is null)
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
