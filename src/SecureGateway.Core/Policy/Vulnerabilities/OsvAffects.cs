namespace SecureGateway.Policy.Vulnerabilities;

/// <summary>One OSV entry that affects a module version.</summary>
/// <param name="Id">The entry's id, e.g. <c>GO-2022-0969</c>.</param>
/// <param name="Aliases">Ids of the same vulnerability elsewhere (CVE, GHSA), as the entry lists them.</param>
/// <param name="Summary">The entry's one-line summary, else the first line of its details, else "".</param>
/// <param name="FixedIn">
/// The first version after the affected one that a <c>fixed</c> event names, with Go's <c>v</c> prefix
/// (e.g. <c>v1.12.9</c>); null when the entry names no fix after it (unfixed, <c>last_affected</c> only,
/// or a <c>versions</c> list only).
/// </param>
public sealed record OsvAffects(string Id, IReadOnlyList<string> Aliases, string Summary, string? FixedIn);
