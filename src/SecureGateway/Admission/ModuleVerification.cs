using System.Text.Json;
using SecureGateway.Modules;
using SecureGateway.Storage;
using SecureGateway.Verification.DirHash;
using SecureGateway.Verification.ZipRules;

namespace SecureGateway.Admission;

/// <summary>
/// What the gateway established about a staged module version: every violation found, the go.sum hashes, and the
/// .info's Time (publisher-controlled; null when absent or the .info is invalid).
/// </summary>
public sealed record ModuleVerification(
    IReadOnlyList<string> Violations,
    string? ZipHash,
    string GoModHash,
    long ZipSize,
    long GoModSize,
    int? FileCount,
    DateTimeOffset? InfoTime)
{
    /// <summary>
    /// Runs every check on the staged files; violations are collected, not thrown, so a decision lists them all.
    /// <paramref name="zipChecked"/> is the zip rules' report when they already ran on the staged zip's bytes.
    /// </summary>
    public static ModuleVerification Of(ModuleVersion module, StagedModule staged, ModuleZipReport? zipChecked = null)
    {
        var violations = new List<string>();
        var (infoViolation, infoTime) = CheckInfo(module, File.ReadAllBytes(staged.PathOf(ArtefactKind.Info)));
        if (infoViolation is not null)
        {
            violations.Add(infoViolation);
        }

        var goMod = File.ReadAllBytes(staged.PathOf(ArtefactKind.Mod));
        var zip = zipChecked ?? ModuleZipRules.Check(staged.PathOf(ArtefactKind.Zip), module.Path, module.Version, goMod);
        violations.AddRange(zip.Violations.Select(v => $"zip rule: {v}"));
        return new(violations, zip.ZipHash, Hash1.OfGoMod(goMod), zip.ZipSize, goMod.Length, zip.IsValid ? zip.FileCount : null, infoTime);
    }

    /// <summary>As the go command's proxy client: the .info must be JSON naming exactly the requested version; its Time, if any, RFC 3339.</summary>
    private static (string? Violation, DateTimeOffset? Time) CheckInfo(ModuleVersion module, byte[] info)
    {
        try
        {
            using var document = JsonDocument.Parse(info);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("Version", out var version)
                || version.ValueKind != JsonValueKind.String)
            {
                return ("info: .info is not a JSON object with a Version string", null);
            }

            if (version.GetString() != module.Version)
            {
                return ($"info: upstream returned info for version {version.GetString()} instead of requested version {module.Version}", null);
            }

            if (!document.RootElement.TryGetProperty("Time", out var time))
            {
                return (null, null);
            }

            return time.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(time.GetString(), out var parsed)
                ? (null, parsed)
                : ($"info: Time {time} is not an RFC 3339 time", null);
        }
        catch (JsonException e)
        {
            return ($"info: .info is not valid JSON: {e.Message}", null);
        }
    }
}
