using System.Text;
using System.Text.Json;
using SecureGateway.Admission;
using SecureGateway.Modules;
using SecureGateway.Policy;
using SecureGateway.Storage;
using SecureGateway.Upstream;

namespace SecureGateway.Protocol;

/// <summary>
/// <c>@v/list</c> and <c>@latest</c>: the upstream's answer (from <see cref="UpstreamListCache"/>) merged with the versions
/// admitted here, and answered from those alone when upstream is down and nothing is cached, so builds keep working
/// offline. Versions a current decision refuses, or the denylist matches, are left out on every answer, cached or not,
/// so the go command never picks them; a revocation moves both at once. Neither admits anything: the go command asks
/// for .info/.mod/.zip of the version it picks, and those go through admission.
/// </summary>
public sealed class VersionQueries(UpstreamListCache upstreamAnswers, GatewayStorage storage, ServingDecisions serving, LivePolicy policy, TimeProvider time)
{
    public const string List = "@v/list";
    public const string Latest = "@latest";
    private const long MaxListBytes = 16 << 20;
    private const long MaxLatestBytes = 1 << 20;
    private const string ListContentType = "text/plain; charset=utf-8";

    public async Task<IResult> ListAsync(string modulePath, CancellationToken cancellationToken)
    {
        var upstream = await upstreamAnswers.GetAsync(modulePath, List, cancellationToken);

        // Read before the decisions: a decision applied while the answer is built moves the count, so it is built again.
        var changes = serving.Changes;
        var bundle = policy.Current;
        var now = time.GetUtcNow();
        if (upstream.Built is { } built && built.ServingChanges == changes && ReferenceEquals(built.Bundle, bundle) && now < built.ValidUntil)
        {
            return ProxyResults.Bytes(built.Body, ListContentType, upstreamAnswers.CacheControl);
        }

        var cached = Admitted(modulePath).Where(v => !ModuleVersions.IsPseudoVersion(v)).ToList();
        if (!upstream.Fetch.IsOk && (upstream.Fetch.Status == UpstreamStatus.NotFound || cached.Count == 0))
        {
            return ProxyResults.Refusal(AdmissionResult.FromUpstream(upstream.Fetch)!);
        }

        var admissible = Admissible(modulePath, upstream.Versions.Union(cached));
        var body = Encoding.UTF8.GetBytes(string.Concat(admissible.Order(Comparer<string>.Create(SemanticVersion.Compare)).Select(v => v + "\n")));
        if (upstream.Fetch.IsOk)
        {
            upstream.Built = new BuiltList(changes, bundle, NextLapse(modulePath, now), body);
        }

        return ProxyResults.Bytes(body, ListContentType, upstreamAnswers.CacheControl);
    }

    public async Task<IResult> LatestAsync(string modulePath, CancellationToken cancellationToken)
    {
        var upstream = await upstreamAnswers.GetAsync(modulePath, Latest, cancellationToken);
        var fetch = upstream.Fetch;
        if (fetch.IsOk)
        {
            if (upstream.Versions is not [var upstreamLatest])
            {
                return ProxyResults.Text(StatusCodes.Status502BadGateway, $"upstream error: {modulePath}/@latest is not version JSON");
            }

            if (Admissible(modulePath, [upstreamLatest]).Count == 1)
            {
                return ProxyResults.Bytes(upstream.Body, "application/json", upstreamAnswers.CacheControl);
            }
        }
        else if (fetch.Status == UpstreamStatus.NotFound)
        {
            return ProxyResults.Refusal(AdmissionResult.FromUpstream(fetch)!);
        }

        // Upstream's latest is refused, or upstream is down: the highest admissible version we know of.
        var listed = fetch.IsOk ? (await upstreamAnswers.GetAsync(modulePath, List, cancellationToken)).Versions : [];
        var known = Admitted(modulePath).Union(listed);
        var latest = Admissible(modulePath, known).OrderDescending(Comparer<string>.Create(LatestFirst)).FirstOrDefault();
        if (latest is null)
        {
            return fetch.IsOk
                ? ProxyResults.Text(StatusCodes.Status404NotFound, $"not found: {modulePath} has no admissible version")
                : ProxyResults.Refusal(AdmissionResult.FromUpstream(fetch)!);
        }

        await using var info = await storage.Store.OpenAsync(StoreArea.Cache, new ModuleVersion(modulePath, latest), ArtefactKind.Info, cancellationToken);
        if (info is null || info.Length > MaxLatestBytes)
        {
            return ProxyResults.WithCacheControl(TypedResults.Json(new Dictionary<string, string> { ["Version"] = latest }), upstreamAnswers.CacheControl);
        }

        var bytes = new byte[info.Length];
        await info.Content.ReadExactlyAsync(bytes, cancellationToken);
        return ProxyResults.WithCacheControl(TypedResults.Bytes(bytes, "application/json"), upstreamAnswers.CacheControl);
    }

    /// <summary>When the first of the module's refusals lapses (its version is listed again, to be decided afresh).</summary>
    private DateTimeOffset NextLapse(string modulePath, DateTimeOffset now) =>
        serving.VersionsOf(modulePath).Values
            .Where(d => !d.Admits && d.RedecideAfter > now)
            .Select(d => d.RedecideAfter!.Value)
            .DefaultIfEmpty(DateTimeOffset.MaxValue)
            .Min();

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

    /// <summary>
    /// Asks the upstream for <paramref name="file"/> (<see cref="List"/> or <see cref="Latest"/>) and reads the versions it
    /// names once, for as long as the answer is cached; a list keeps no body, @latest keeps the JSON it passes on.
    /// </summary>
    public static async Task<UpstreamAnswer> FetchAsync(UpstreamRouter upstreams, string modulePath, string file, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        var fetch = await upstreams.For(modulePath)
            .FetchAsync($"{ModuleEscaping.EscapePath(modulePath)}/{file}", body, file == List ? MaxListBytes : MaxLatestBytes, cancellationToken);
        if (!fetch.IsOk)
        {
            return new(fetch, [], []);
        }

        var bytes = body.ToArray();
        return file == List
            ? new(fetch, [.. UpstreamVersions(bytes)], [])
            : new(fetch, VersionOf(bytes) is { } version ? [version] : [], bytes);
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
