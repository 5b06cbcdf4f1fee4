using System.Text;
using SecureGateway.Audit;
using SecureGateway.Data.Decisions;
using SecureGateway.Ledger;
using SecureGateway.Modules;
using SecureGateway.Upstream;

namespace SecureGateway.Review;

/// <summary>A version a revocation refused: what it was before, the recorded denial, and who had already pulled it.</summary>
public sealed record RevokedVersion(string Version, string Was, long DecisionId, IReadOnlyList<Consumer> Consumers);

public sealed record RevocationResult(ReviewStatus Status, string Message, IReadOnlyList<RevokedVersion> Versions);

/// <summary>
/// The security team's "block it now": a denial by the reviewer of every matching version in any state (admitted,
/// released, quarantined, or never seen — a pre-emptive block that stops its admission). Every gateway refuses it as
/// soon as it hears the decision; the files go to the held area as evidence; the answer names who already pulled it.
/// </summary>
public sealed class Revocation(ReviewLog log, DecisionLog decisions, RangeRevocations ranges, DownloadConsumers consumers, UpstreamRouter upstreams)
{
    private const long MaxListBytes = 16 << 20;

    /// <param name="version">One version (revoked even if never seen), or null with <paramref name="range"/>.</param>
    /// <param name="range">
    /// Versions by range (<c>&lt;v1.2.4</c>): every version decided here or listed by upstream that it contains is denied now,
    /// and any other version in it is refused when first seen.
    /// </param>
    public async Task<RevocationResult> RevokeAsync(
        string module, string? version, string? range, string actor, string? justification, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(justification))
        {
            return Invalid("a justification is required");
        }

        if (string.IsNullOrEmpty(module) || (version is null) == (range is null))
        {
            return Invalid("module and exactly one of version or range are required");
        }

        if (ModulePath.CheckPath(module) is { } pathError)
        {
            return Invalid(pathError);
        }

        IReadOnlyList<string> versions;
        if (version is not null)
        {
            if (ModuleVersions.Check(module, version) is { } versionError)
            {
                return Invalid(versionError);
            }

            versions = [version];
        }
        else
        {
            if (VersionRange.Parse(range!, out var rangeError) is not { } parsed)
            {
                return Invalid(rangeError!);
            }

            if (parsed.IsEverything)
            {
                return Invalid("a range needs at least one comparison, e.g. <v1.2.4 (every version: >=v0.0.0)");
            }

            // Recorded first: a version of the range first seen from now on (a pseudo-version, a late pre-release) is refused too.
            await ranges.RecordAsync(module, parsed, actor, justification, cancellationToken);
            var known = (await decisions.VersionsAsync(module, cancellationToken)).Union(await UpstreamVersionsAsync(module, cancellationToken));
            versions = [.. known.Where(parsed.Contains).Distinct(StringComparer.Ordinal).Order(Comparer<string>.Create(SemanticVersion.Compare))];
        }

        var revoked = new List<RevokedVersion>(versions.Count);
        foreach (var each in versions)
        {
            var target = new ModuleVersion(module, each);
            Decision denial;
            string was;
            await using (await log.LockAsync(target, cancellationToken))
            {
                var latest = await log.LatestAsync(target, cancellationToken);
                was = latest is null ? "never seen" : $"{latest.Outcome.ToString().ToLowerInvariant()} (decision {latest.Id})";
                // One reason: the go command shows a one-line answer after "server response:"; the trail holds what it was.
                denial = await log.RecordAsync(SuccessorDecision.Of(
                    latest, target, DecisionOutcome.Denied,
                    [$"revoked by {actor}: {justification}"],
                    actor, justification), cancellationToken);
            }

            revoked.Add(new(each, was, denial.Id, await consumers.FindAsync(module, each, cancellationToken)));
        }

        var pulled = revoked.SelectMany(r => r.Consumers.Select(c => c.Client)).Distinct().Count();
        var rest = range is null ? "" : $"; versions in {range} first seen later are refused too";
        return new(ReviewStatus.Done, $"revoked {revoked.Count} version(s) of {module}; {pulled} client(s) had already pulled them{rest}", revoked);
    }

    /// <summary>Upstream's list, best effort: a range still covers every version decided here when upstream cannot answer.</summary>
    private async Task<IEnumerable<string>> UpstreamVersionsAsync(string module, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        var fetch = await upstreams.For(module).FetchAsync($"{ModuleEscaping.EscapePath(module)}/@v/list", body, MaxListBytes, cancellationToken);
        return fetch.IsOk
            ? Encoding.UTF8.GetString(body.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(v => ModuleVersions.CanonicalVersion(v) == v && ModuleVersions.Check(module, v) is null)
            : [];
    }

    private static RevocationResult Invalid(string message) => new(ReviewStatus.Invalid, message, []);
}
