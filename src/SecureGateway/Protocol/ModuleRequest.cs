using SecureGateway.Modules;
using SecureGateway.Storage;

namespace SecureGateway.Protocol;

public enum ModuleEndpoint
{
    List,
    Latest,
    Info,
    Mod,
    Zip,
}

/// <summary>
/// One GOPROXY request, decoded and validated as Go's <c>module.UnescapePath</c>, <c>UnescapeVersion</c>,
/// <c>Check</c> and canonical-semver rules require, before anything touches upstream or disk.
/// </summary>
public sealed record ModuleRequest(string ModulePath, ModuleEndpoint Endpoint, string? Version)
{
    private const string VersionsMarker = "/@v/";
    private const string LatestSuffix = "/@latest";
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public ModuleVersion ModuleVersion => new(ModulePath, Version ?? throw new InvalidOperationException($"{Endpoint} has no version"));

    public ArtefactKind Artefact => Endpoint switch
    {
        ModuleEndpoint.Info => ArtefactKind.Info,
        ModuleEndpoint.Mod => ArtefactKind.Mod,
        ModuleEndpoint.Zip => ArtefactKind.Zip,
        _ => throw new InvalidOperationException($"{Endpoint} is not an artefact"),
    };

    /// <summary>
    /// Parses the raw request path as the client sent it: still percent-encoded (the go command sends <c>!</c> as
    /// <c>%21</c>) and not yet normalised, so a <c>..</c> element is refused rather than silently resolved.
    /// Returns null with <paramref name="error"/> null when the path is not a GOPROXY endpoint at all (404),
    /// and null with an error when it is one but malformed (400).
    /// </summary>
    public static ModuleRequest? Parse(string rawPath, out string? error)
    {
        error = null;
        if (!TryPercentDecode(rawPath, out var path))
        {
            error = "request path is not valid percent-encoded UTF-8";
            return null;
        }

        path = path.TrimStart('/');
        string escapedModule;
        ModuleEndpoint endpoint;
        string? escapedVersion = null;
        if (path.EndsWith(LatestSuffix, StringComparison.Ordinal))
        {
            escapedModule = path[..^LatestSuffix.Length];
            endpoint = ModuleEndpoint.Latest;
        }
        else
        {
            var marker = path.LastIndexOf(VersionsMarker, StringComparison.Ordinal);
            if (marker < 0)
            {
                return null;
            }

            escapedModule = path[..marker];
            var file = path[(marker + VersionsMarker.Length)..];
            if (!TryParseVersionFile(file, out endpoint, out escapedVersion))
            {
                error = $"unknown GOPROXY endpoint \"@v/{file}\": expected list, VERSION.info, VERSION.mod or VERSION.zip";
                return null;
            }
        }

        if (!ModuleEscaping.TryUnescapePath(escapedModule, out var modulePath, out var pathError))
        {
            error = pathError;
            return null;
        }

        if (escapedVersion is null)
        {
            return new(modulePath, endpoint, null);
        }

        if (!ModuleEscaping.TryUnescapeVersion(escapedVersion, out var version, out var versionError))
        {
            error = versionError;
            return null;
        }

        var canonical = ModuleVersions.CanonicalVersion(version);
        if (canonical != version)
        {
            error = canonical.Length == 0
                ? $"version \"{version}\" is not a semantic version; this gateway serves canonical versions only (e.g. v1.2.3)"
                : $"version \"{version}\" is not canonical (should be \"{canonical}\")";
            return null;
        }

        if ((ModuleVersions.Check(modulePath, version) ?? ModuleVersions.CheckServable(modulePath, version)) is { } checkError)
        {
            error = checkError;
            return null;
        }

        return new(modulePath, endpoint, version);
    }

    private static bool TryParseVersionFile(string file, out ModuleEndpoint endpoint, out string? escapedVersion)
    {
        (endpoint, escapedVersion) = file switch
        {
            "list" => (ModuleEndpoint.List, null),
            _ when file.EndsWith(".info", StringComparison.Ordinal) => (ModuleEndpoint.Info, file[..^".info".Length]),
            _ when file.EndsWith(".mod", StringComparison.Ordinal) => (ModuleEndpoint.Mod, file[..^".mod".Length]),
            _ when file.EndsWith(".zip", StringComparison.Ordinal) => (ModuleEndpoint.Zip, file[..^".zip".Length]),
            _ => (ModuleEndpoint.List, ""),
        };
        return escapedVersion != "";
    }

    private static bool TryPercentDecode(string raw, out string decoded)
    {
        decoded = raw;
        var bytes = new List<byte>(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] > 0x7F)
            {
                return false;
            }

            if (raw[i] != '%')
            {
                bytes.Add((byte)raw[i]);
            }
            else if (i + 2 < raw.Length && byte.TryParse(raw.AsSpan(i + 1, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                return false;
            }
        }

        try
        {
            decoded = StrictUtf8.GetString(bytes.ToArray());
            return true;
        }
        catch (System.Text.DecoderFallbackException)
        {
            return false;
        }
    }
}
