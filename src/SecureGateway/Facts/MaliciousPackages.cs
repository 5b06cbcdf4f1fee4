using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SecureGateway.Data.Facts;
using SecureGateway.Policy;
using SecureGateway.Policy.Vulnerabilities;

namespace SecureGateway.Facts;

/// <summary>
/// Known-malicious Go modules from OpenSSF's malicious-packages data: the OSV <c>MAL-</c> records under
/// <c>osv/malicious/go/</c> of a checkout of github.com/ossf/malicious-packages, stored beside the vulnerability entries
/// (same table, same matching) and handed to the policies as the <c>malicious</c> fact. A sync that brings new or
/// changed records raises <see cref="Synced"/>, so the admitted versions they match are decided again at once.
/// </summary>
public sealed partial class MaliciousPackages(
    IOptions<MaliciousPackagesOptions> options, VulnerabilityDatabase store, TimeProvider time, ILogger<MaliciousPackages> logger)
{
    private const string GoRecords = "osv/malicious/go";

    /// <summary>The directory read, or null when the source is off.</summary>
    public string? Source { get; } = DirectoryOf(options.Value.Source);

    /// <summary>A sync completed; its result names the modules of new or changed records.</summary>
    public event Action<VulnSyncResult>? Synced;

    /// <summary>A usable setting: off, a directory or a file:// URL.</summary>
    /// <exception cref="InvalidOperationException">Anything else (an https mirror needs an index this layout lacks).</exception>
    public static string? DirectoryOf(string? setting)
    {
        if (FactSourceSettings.IsOff(setting))
        {
            return null;
        }

        if (Uri.TryCreate(setting, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            throw new InvalidOperationException(
                $"{MaliciousPackagesOptions.Section}:Source {setting}: use a checkout of github.com/ossf/malicious-packages (a directory or file:// URL; git pull it on a schedule)");
        }

        return Path.GetFullPath(uri is { IsFile: true } ? uri.LocalPath : setting!);
    }

    /// <exception cref="FactSourceException">Syncing is off, or the directory does not hold the repository's layout.</exception>
    public async Task<VulnSyncResult> SyncAsync(CancellationToken cancellationToken)
    {
        var root = Path.Combine(Source ?? throw new FactSourceException($"{MaliciousPackagesOptions.Section}:Source is off"), GoRecords);
        if (!System.IO.Directory.Exists(root))
        {
            throw new FactSourceException($"{root} does not exist: {MaliciousPackagesOptions.Section}:Source must be a checkout of github.com/ossf/malicious-packages");
        }

        var records = new List<VulnerabilityRecord>();
        var failures = new List<string>();
        foreach (var file in System.IO.Directory.EnumerateFiles(root, "MAL-*.json", SearchOption.AllDirectories))
        {
            try
            {
                records.Add(await ReadAsync(file, cancellationToken));
            }
            catch (FactSourceException e)
            {
                failures.Add($"{Path.GetRelativePath(Source!, file)}: {e.Message}");
                LogRecordFailed(file, e.Message);
            }
        }

        var (added, updated, changedModules) = await store.StoreChangedAsync(records, cancellationToken);
        var result = new VulnSyncResult(Source!, records.Count, added, updated, failures, time.GetUtcNow()) { ChangedModules = changedModules };
        Synced?.Invoke(result);
        return result;
    }

    private static async Task<VulnerabilityRecord> ReadAsync(string file, CancellationToken cancellationToken)
    {
        if (new FileInfo(file).Length > VulnerabilityDatabase.MaxEntryBytes)
        {
            throw new FactSourceException($"larger than {VulnerabilityDatabase.MaxEntryBytes} bytes");
        }

        var expectedId = Path.GetFileNameWithoutExtension(file);
        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(await File.ReadAllBytesAsync(file, cancellationToken)).TrimStart('\uFEFF');
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var id = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.String ? idValue.GetString() : null;
            if (id != expectedId || !MaliciousRecord.IsMaliciousId(id) || !VulnDbSource.IsSafeId(id))
            {
                throw new FactSourceException($"holds record {id ?? "(no id)"}, not {expectedId}");
            }

            var modified = root.TryGetProperty("modified", out var modifiedValue) && modifiedValue.TryGetDateTimeOffset(out var parsed)
                ? parsed.ToUniversalTime()
                : throw new FactSourceException("has no RFC 3339 modified time");
            if (text.Contains("\\u0000", StringComparison.Ordinal))
            {
                throw new FactSourceException("contains \\u0000, which PostgreSQL's jsonb cannot store");
            }

            return new VulnerabilityRecord { Id = id, Modified = modified, Osv = text, Modules = [.. OsvMatcher.AffectedModules(text)] };
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException)
        {
            throw new FactSourceException($"is not an OSV record: {e.Message}", e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Malicious packages: {File} not stored, tried again next time: {Reason}")]
    private partial void LogRecordFailed(string file, string reason);
}
