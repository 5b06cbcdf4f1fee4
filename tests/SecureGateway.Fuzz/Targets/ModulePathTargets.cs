using FsCheck.Fluent;
using SecureGateway.Modules;
using SecureGateway.Protocol;
using static SecureGateway.Fuzz.PropertyFailedException;

namespace SecureGateway.Fuzz.Targets;

/// <summary>The module path and version decoders: Go's rules, escaping round trips, and the GOPROXY request path.</summary>
internal static class ModulePathTargets
{
    public static readonly FuzzTarget Path = FuzzTarget.Create(
        "path",
        "CheckPath agrees with Go's rules; a valid path escapes to lower case and unescapes to itself; whatever unescapes escapes back to the same text",
        NearValid.Mutated(NearValid.ModulePath),
        input => CheckPath(input.Text),
        input => Show(input.Text));

    public static readonly FuzzTarget Version = FuzzTarget.Create(
        "version",
        "IsValid agrees with Go's semver; Canonical is valid and equal in order; Compare is antisymmetric; version escaping round-trips",
        FsCheck.Fluent.Gen.Zip(NearValid.Mutated(NearValid.Version), NearValid.Version),
        input => CheckVersion(input.Item1.Text, input.Item2),
        input => $"{Show(input.Item1.Text)} vs {Show(input.Item2)}");

    public static readonly FuzzTarget Request = FuzzTarget.Create(
        "request",
        "ModuleRequest.Parse never throws; what it accepts passes CheckPath, Check and canonical semver and re-encodes to the same request; an unedited valid request parses to its parts",
        RequestInputs,
        CheckRequest,
        input => $"{Show(input.Raw)} (edited: {input.Edited})");

    private static FsCheck.Gen<RequestInput> RequestInputs =>
        from path in NearValid.ModulePath
        from version in NearValid.Version
        from endpoint in FsCheck.Fluent.Gen.Elements(ModuleEndpoint.List, ModuleEndpoint.Latest, ModuleEndpoint.Info, ModuleEndpoint.Mod, ModuleEndpoint.Zip)
        from percentBang in FsCheck.Fluent.Gen.Elements(false, true)
        from raw in NearValid.Mutated(FsCheck.Fluent.Gen.Constant(RawPath(path, endpoint, version, percentBang)))
        select new RequestInput(raw.Text, raw.Edited, path, endpoint, version);

    private sealed record RequestInput(string Raw, bool Edited, string Path, ModuleEndpoint Endpoint, string Version);

    private static void CheckPath(string path)
    {
        string? error = ModulePath.CheckPath(path);
        bool goValid = GoPathOracle.IsModulePath(path);
        Require((error is null) == goValid, $"CheckPath says {error ?? "valid"}, Go's rules say {(goValid ? "valid" : "invalid")}");
        if (error is null)
        {
            string escaped = ModuleEscaping.EscapePath(path);
            Require(!escaped.Any(char.IsAsciiLetterUpper), $"escaped form {Show(escaped)} has upper case");
            Require(ModuleEscaping.TryUnescapePath(escaped, out string back, out _) && back == path, $"{Show(escaped)} does not unescape to the path");
        }
        else
        {
            RequireArgumentException(() => ModuleEscaping.EscapePath(path), "EscapePath");
        }
        if (ModuleEscaping.TryUnescapePath(path, out string unescaped, out _))
        {
            Require(ModuleEscaping.EscapePath(unescaped) == path, $"unescaped to {Show(unescaped)}, which escapes to other text");
        }
    }

    private static void CheckVersion(string version, string other)
    {
        bool valid = SemanticVersion.IsValid(version);
        Require(valid == GoPathOracle.IsSemver(version), $"IsValid says {valid}, Go's semver says {!valid}");
        if (valid)
        {
            string canonical = SemanticVersion.Canonical(version);
            Require(SemanticVersion.IsValid(canonical) && SemanticVersion.Canonical(canonical) == canonical, $"canonical {Show(canonical)} is not canonical");
            Require(SemanticVersion.Compare(version, canonical) == 0, $"differs in order from its canonical {Show(canonical)}");
        }
        Require(SemanticVersion.Compare(version, other) == -SemanticVersion.Compare(other, version), "Compare is not antisymmetric");
        if (ModuleEscaping.TryUnescapeVersion(version, out string unescaped, out _))
        {
            Require(ModuleEscaping.EscapeVersion(unescaped) == version, $"unescaped to {Show(unescaped)}, which escapes to other text");
        }
        else
        {
            try
            {
                ModuleEscaping.EscapeVersion(version);
            }
            catch (ArgumentException)
            {
                // EscapeVersion's documented refusal.
            }
        }
    }

    private static void CheckRequest(RequestInput input)
    {
        ModuleRequest? request = ModuleRequest.Parse(input.Raw, out string? error);
        if (request is null)
        {
            // Leading slashes are not part of the module path: "//@v/list" names no module at all.
            string trimmed = input.Raw.TrimStart('/');
            bool looksLikeEndpoint = trimmed.Contains("/@v/", StringComparison.Ordinal) || trimmed.EndsWith("/@latest", StringComparison.Ordinal);
            Require(error is not null || !looksLikeEndpoint, "an endpoint path was taken for no endpoint (404 without a reason)");
            Require(input.Edited || !IsServable(input.Path, input.Endpoint, input.Version), $"a valid request was refused: {error}");
            return;
        }
        Require(error is null, "parsed, yet with an error");
        Require(ModulePath.CheckPath(request.ModulePath) is null, $"accepted module path {Show(request.ModulePath)} fails CheckPath");
        bool hasVersion = request.Endpoint is ModuleEndpoint.Info or ModuleEndpoint.Mod or ModuleEndpoint.Zip;
        Require(hasVersion == (request.Version is not null), "version present on the wrong endpoint");
        if (request.Version is { } version)
        {
            Require(ModuleVersions.CanonicalVersion(version) == version, $"accepted non-canonical version {Show(version)}");
            Require(ModuleVersions.Check(request.ModulePath, version) is null, $"accepted {request.ModulePath}@{version}, which module.Check refuses");
        }
        string reencoded = RawPath(ModuleEscaping.EscapePath(request.ModulePath), request.Endpoint, request.Version is null ? "" : ModuleEscaping.EscapeVersion(request.Version), percentBang: false);
        Require(ModuleRequest.Parse(reencoded, out _) == request, $"re-encoded as {Show(reencoded)}, which parses differently");
        if (!input.Edited)
        {
            Require(request == new ModuleRequest(input.Path, input.Endpoint, hasVersion ? input.Version : null), "parsed to other parts than were encoded");
        }
    }

    private static bool IsServable(string path, ModuleEndpoint endpoint, string version) =>
        endpoint is ModuleEndpoint.List or ModuleEndpoint.Latest
            ? ModulePath.CheckPath(path) is null
            : ModuleVersions.Check(path, version) is null && ModuleVersions.CanonicalVersion(version) == version
                // What module.Check lets through but the go command never fetches (+incompatible on v0/v1, a pseudo-version with no time).
                && ModuleVersions.CheckServable(path, version) is null;

    // The request path the go command sends for an already escaped or raw path and version (escaped here).
    private static string RawPath(string path, ModuleEndpoint endpoint, string version, bool percentBang)
    {
        string raw = "/" + CaseEscape(path) + endpoint switch
        {
            ModuleEndpoint.List => "/@v/list",
            ModuleEndpoint.Latest => "/@latest",
            _ => $"/@v/{CaseEscape(version)}.{endpoint.ToString().ToLowerInvariant()}",
        };
        return percentBang ? raw.Replace("!", "%21", StringComparison.Ordinal) : raw;
    }

    // Go's escaping without its validity check, so that invalid paths can be sent too.
    private static string CaseEscape(string s) =>
        string.Concat(s.Select(c => char.IsAsciiLetterUpper(c) ? "!" + char.ToLowerInvariant(c) : c.ToString()));

    private static void RequireArgumentException(Action action, string what)
    {
        try
        {
            action();
        }
        catch (ArgumentException)
        {
            return;
        }
        throw new PropertyFailedException($"{what} accepted what it must refuse");
    }

    private static string Show(string s) => Printable.Quote(s);
}
