using System.Text.Json;
using SecureGateway.Modules;

namespace SecureGateway.Policy.Vulnerabilities;

/// <summary>
/// Reads entries of the Go vulnerability database (OSV JSON, https://go.dev/security/vuln/database) and decides
/// whether a module version is affected, by the OSV schema's evaluation rules (https://ossf.github.io/osv-schema/#evaluation).
/// </summary>
/// <remarks>
/// <para>
/// Only <c>affected[]</c> items whose package is in the <c>Go</c> ecosystem and names the module count; the pseudo-modules
/// <c>stdlib</c> and <c>toolchain</c> (the standard library and the go command) are never modules a proxy serves, so they are
/// ignored. A withdrawn entry affects nothing.
/// </para>
/// <para>
/// A version is affected when an item lists it in <c>versions</c> or one of the item's <c>SEMVER</c> ranges contains it.
/// OSV's SEMVER versions have no <c>v</c>; it is added before comparing with Go's semantics
/// (<see cref="SemanticVersion.Compare"/>: pre-releases sort before their release, <c>+incompatible</c> and other build
/// metadata are ignored). A range's events are sorted by version (<c>introduced: "0"</c> first) and replayed in order:
/// <c>introduced</c> at or below the version makes it vulnerable, <c>fixed</c> at or below it, or <c>last_affected</c>
/// below it, makes it not; <c>limit</c> events bound the range from above. Other range types (ECOSYSTEM, GIT) are not
/// evaluated. As in golang.org/x/vuln, an item with neither a SEMVER range nor a versions list affects every version.
/// </para>
/// <para>
/// Malformed data fails closed: an <c>introduced</c> version that is not semantic counts as "from the beginning", and a
/// <c>fixed</c>, <c>last_affected</c> or <c>limit</c> version that is not semantic is ignored.
/// </para>
/// </remarks>
public static class OsvMatcher
{
    /// <summary>The OSV ecosystem of Go modules.</summary>
    public const string GoEcosystem = "Go";

    /// <summary>The Go vulnerability database's pseudo-module paths for the standard library and the go command.</summary>
    public static readonly IReadOnlyList<string> PseudoModules = ["stdlib", "toolchain"];

    /// <summary>The Go modules the entry names in <c>affected[].package</c>, in order, without duplicates or pseudo-modules.</summary>
    /// <exception cref="JsonException">The text is not JSON.</exception>
    public static IReadOnlyList<string> AffectedModules(string osvJson)
    {
        ArgumentNullException.ThrowIfNull(osvJson);
        using var document = JsonDocument.Parse(osvJson);
        var modules = new List<string>();
        foreach (var affected in Items(document.RootElement, "affected"))
        {
            if (GoModule(affected) is { } module && !modules.Contains(module, StringComparer.Ordinal))
            {
                modules.Add(module);
            }
        }

        return modules;
    }

    /// <summary>How the entry affects <paramref name="modulePath"/> at <paramref name="version"/>; null when it does not.</summary>
    /// <param name="osvJson">One OSV entry.</param>
    /// <param name="modulePath">The module path, as in go.mod (e.g. <c>golang.org/x/net</c>).</param>
    /// <param name="version">A Go semantic version with its <c>v</c> (e.g. <c>v0.0.0-20220826154423-83b083e8dc8b</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="version"/> is not a semantic version.</exception>
    /// <exception cref="JsonException">The text is not JSON, or not an OSV entry with an id.</exception>
    public static OsvAffects? Match(string osvJson, string modulePath, string version)
    {
        ArgumentNullException.ThrowIfNull(osvJson);
        ArgumentNullException.ThrowIfNull(modulePath);
        ArgumentNullException.ThrowIfNull(version);
        if (!SemanticVersion.IsValid(version))
        {
            throw new ArgumentException($"not a semantic version: {version}", nameof(version));
        }

        using var document = JsonDocument.Parse(osvJson);
        var root = document.RootElement;
        var id = Text(root, "id") is { Length: > 0 } text ? text : throw new JsonException("the OSV entry has no id");
        if (PseudoModules.Contains(modulePath, StringComparer.Ordinal) || Text(root, "withdrawn") is not null)
        {
            return null;
        }

        var affected = false;
        string? fixedIn = null;
        foreach (var item in Items(root, "affected"))
        {
            if (GoModule(item) == modulePath && Affects(item, version, out var fix))
            {
                affected = true;
                if (fix is not null && (fixedIn is null || SemanticVersion.Compare(fix, fixedIn) < 0))
                {
                    fixedIn = fix;
                }
            }
        }

        return affected ? new OsvAffects(id, Texts(root, "aliases"), Summary(root), fixedIn) : null;
    }

    /// <summary>Whether one <c>affected[]</c> item covers the version, and the first fix after it the item names.</summary>
    private static bool Affects(JsonElement item, string version, out string? fixedIn)
    {
        var ranges = Items(item, "ranges").Where(r => Text(r, "type") == "SEMVER").Select(SemverRange.Parse).ToList();
        var versions = Texts(item, "versions");
        var affected = ranges.Count == 0 && versions.Count == 0
            || versions.Any(listed => GoVersion(listed) is { } v && SemanticVersion.Compare(v, version) == 0)
            || ranges.Any(range => range.Contains(version));

        fixedIn = null;
        if (affected)
        {
            foreach (var fix in ranges.SelectMany(range => range.Fixes))
            {
                if (SemanticVersion.Compare(fix, version) > 0 && (fixedIn is null || SemanticVersion.Compare(fix, fixedIn) < 0))
                {
                    fixedIn = fix;
                }
            }
        }

        return affected;
    }

    /// <summary>The package name of a Go-ecosystem item, unless it is a pseudo-module.</summary>
    private static string? GoModule(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object
        && item.TryGetProperty("package", out var package)
        && Text(package, "ecosystem") == GoEcosystem
        && Text(package, "name") is { Length: > 0 } name
        && !PseudoModules.Contains(name, StringComparer.Ordinal)
            ? name
            : null;

    private static string Summary(JsonElement root)
    {
        if (Text(root, "summary") is { } summary && !string.IsNullOrWhiteSpace(summary))
        {
            return summary.Trim();
        }

        var details = Text(root, "details") ?? "";
        return details.Split('\n', 2)[0].Trim();
    }

    /// <summary>An OSV SEMVER version as Go writes it: with a leading <c>v</c>; null when it is not a semantic version.</summary>
    private static string? GoVersion(string osvVersion)
    {
        var v = osvVersion.StartsWith('v') ? osvVersion : "v" + osvVersion;
        return SemanticVersion.IsValid(v) ? v : null;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static JsonElement[] Items(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray()]
            : [];

    private static List<string> Texts(JsonElement element, string name) =>
        [.. Items(element, name).Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)];

    private enum EventKind
    {
        Introduced,
        Fixed,
        LastAffected,
        Limit,
    }

    /// <summary>One event; a null version is "0" for <c>introduced</c> (before everything) and "*" for <c>limit</c> (after everything).</summary>
    private readonly record struct OsvEvent(EventKind Kind, string? Version);

    /// <summary>A SEMVER range: its events sorted by version, limits kept apart.</summary>
    private sealed class SemverRange
    {
        private readonly List<OsvEvent> timeline;
        private readonly List<OsvEvent> limits;

        private SemverRange(List<OsvEvent> timeline, List<OsvEvent> limits)
        {
            this.timeline = timeline;
            this.limits = limits;
        }

        /// <summary>The versions of its <c>fixed</c> events, with <c>v</c>.</summary>
        public IEnumerable<string> Fixes => timeline.Where(e => e.Kind == EventKind.Fixed).Select(e => e.Version!);

        public static SemverRange Parse(JsonElement range)
        {
            var events = new List<OsvEvent>();
            foreach (var item in Items(range, "events"))
            {
                if (Read(item) is { } parsed)
                {
                    events.Add(parsed);
                }
            }

            // OrderBy is stable: events at the same version keep the entry's order.
            var timeline = events.Where(e => e.Kind != EventKind.Limit).OrderBy(e => e, EventOrder.Instance).ToList();
            return new SemverRange(timeline, [.. events.Where(e => e.Kind == EventKind.Limit)]);
        }

        public bool Contains(string version)
        {
            if (limits.Count > 0 && !limits.Any(limit => limit.Version is null || SemanticVersion.Compare(version, limit.Version) < 0))
            {
                return false;
            }

            var vulnerable = false;
            foreach (var e in timeline)
            {
                switch (e.Kind)
                {
                    case EventKind.Introduced when e.Version is null || SemanticVersion.Compare(version, e.Version) >= 0:
                        vulnerable = true;
                        break;
                    case EventKind.Fixed when SemanticVersion.Compare(version, e.Version!) >= 0:
                    case EventKind.LastAffected when SemanticVersion.Compare(version, e.Version!) > 0:
                        vulnerable = false;
                        break;
                }
            }

            return vulnerable;
        }

        private static OsvEvent? Read(JsonElement item)
        {
            if (Text(item, "introduced") is { } introduced)
            {
                return new OsvEvent(EventKind.Introduced, introduced == "0" ? null : GoVersion(introduced));
            }

            if (Text(item, "fixed") is { } fixedVersion)
            {
                return GoVersion(fixedVersion) is { } v ? new OsvEvent(EventKind.Fixed, v) : null;
            }

            if (Text(item, "last_affected") is { } lastAffected)
            {
                return GoVersion(lastAffected) is { } v ? new OsvEvent(EventKind.LastAffected, v) : null;
            }

            if (Text(item, "limit") is { } limit)
            {
                return limit.Contains('*', StringComparison.Ordinal) ? new OsvEvent(EventKind.Limit, null)
                    : GoVersion(limit) is { } v ? new OsvEvent(EventKind.Limit, v)
                    : null;
            }

            return null;
        }
    }

    /// <summary>Orders timeline events by version; "from the beginning" first.</summary>
    private sealed class EventOrder : IComparer<OsvEvent>
    {
        public static readonly EventOrder Instance = new();

        public int Compare(OsvEvent x, OsvEvent y) => (x.Version, y.Version) switch
        {
            (null, null) => 0,
            (null, _) => -1,
            (_, null) => 1,
            var (a, b) => SemanticVersion.Compare(a, b),
        };
    }
}
