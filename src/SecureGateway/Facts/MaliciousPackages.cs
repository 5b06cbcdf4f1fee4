using Microsoft.Extensions.Options;
using SecureGateway.Data.Facts;
using SecureGateway.Policy;

namespace SecureGateway.Facts;

/// <summary>
/// Known-malicious Go modules from OpenSSF's malicious-packages data: the OSV <c>MAL-</c> records under
/// <c>osv/malicious/go/</c> of github.com/ossf/malicious-packages — a checkout on disk, or an https URL of a
/// <c>.tar.gz</c> of the repository (GitHub's archive, or a mirror of it) streamed and read as it arrives, asked
/// again only when its ETag changed — stored beside the vulnerability entries
/// (same table, same matching) and handed to the policies as the <c>malicious</c> fact. A sync that brings new or
/// changed records raises <see cref="Synced"/>, so the admitted versions they match are decided again at once.
/// </summary>
public sealed partial class MaliciousPackages(
    IOptions<MaliciousPackagesOptions> options, VulnerabilityDatabase store, FactFreshness freshness, IHttpClientFactory http, TimeProvider time,
    ILogger<MaliciousPackages> logger)
{
    public const string HttpClientName = "malicious-packages";
    private const string GoRecords = "osv/malicious/go";

    private string? etag;
    private int lastEntries;

    /// <summary>The directory or archive URL read, or null when the source is off.</summary>
    public string? Source { get; } = SourceOf(options.Value.Source);

    /// <summary>A sync completed; its result names the modules of new or changed records.</summary>
    public event Action<VulnSyncResult>? Synced;

    /// <summary>
    /// A usable setting: off, a directory, a file:// URL, or an https URL (http to this machine) of a .tar.gz of the repository.
    /// </summary>
    /// <exception cref="InvalidOperationException">Anything else.</exception>
    public static string? SourceOf(string? setting)
    {
        if (FactSourceSettings.IsOff(setting))
        {
            return null;
        }

        if (Uri.TryCreate(setting, UriKind.Absolute, out var uri) && !uri.IsFile)
        {
            // Plain http only to this machine (a local mirror): elsewhere a path attacker could drop records from the archive.
            return (uri.Scheme == "https" || (uri.Scheme == "http" && uri.IsLoopback))
                && (uri.AbsolutePath.EndsWith(".tar.gz", StringComparison.Ordinal) || uri.AbsolutePath.EndsWith(".tgz", StringComparison.Ordinal))
                ? uri.AbsoluteUri
                : throw new InvalidOperationException(
                    $"{MaliciousPackagesOptions.Section}:Source {setting}: use a checkout of github.com/ossf/malicious-packages (a directory or file:// URL) " +
                    "or an https URL of a .tar.gz of it, e.g. https://github.com/ossf/malicious-packages/archive/refs/heads/main.tar.gz");
        }

        return Path.GetFullPath(uri is { IsFile: true } ? uri.LocalPath : setting!);
    }

    /// <exception cref="FactSourceException">Syncing is off, or the source does not hold the repository's layout.</exception>
    public async Task<VulnSyncResult> SyncAsync(CancellationToken cancellationToken)
    {
        var source = Source ?? throw new FactSourceException($"{MaliciousPackagesOptions.Section}:Source is off");
        var records = new List<VulnerabilityRecord>();
        var failures = new List<string>();
        var unchanged = source.StartsWith("https://", StringComparison.Ordinal) || source.StartsWith("http://", StringComparison.Ordinal)
            ? !await ReadArchiveAsync(new Uri(source), records, failures, cancellationToken)
            : await ReadDirectoryAsync(source, records, failures, cancellationToken);
        if (unchanged)
        {
            var same = new VulnSyncResult(source, lastEntries, 0, 0, [], time.GetUtcNow());
            await freshness.RecordAsync(FactFreshness.Malicious, source, same.Entries, same.CompletedAt, cancellationToken);
            return same;
        }

        var (added, updated, changedModules) = await store.StoreChangedAsync(records, cancellationToken);
        lastEntries = records.Count;
        var result = new VulnSyncResult(source, records.Count, added, updated, failures, time.GetUtcNow()) { ChangedModules = changedModules };
        await freshness.RecordAsync(FactFreshness.Malicious, source, result.Entries, result.CompletedAt, cancellationToken);
        Synced?.Invoke(result);
        return result;
    }

    private async Task<bool> ReadDirectoryAsync(string checkout, List<VulnerabilityRecord> records, List<string> failures, CancellationToken cancellationToken)
    {
        var root = Path.Combine(checkout, GoRecords);
        if (!System.IO.Directory.Exists(root))
        {
            throw new FactSourceException($"{root} does not exist: {MaliciousPackagesOptions.Section}:Source must be a checkout of github.com/ossf/malicious-packages");
        }

        foreach (var file in System.IO.Directory.EnumerateFiles(root, "MAL-*.json", SearchOption.AllDirectories))
        {
            if (new FileInfo(file).Length > VulnerabilityDatabase.MaxEntryBytes)
            {
                Failed(failures, Path.GetRelativePath(checkout, file), $"larger than {VulnerabilityDatabase.MaxEntryBytes} bytes");
                continue;
            }

            await using var content = File.OpenRead(file);
            await AddAsync(Path.GetRelativePath(checkout, file), content, records, failures, cancellationToken);
        }

        return false;
    }

    /// <summary>Streams the archive (never held whole), keeping Go's MAL- records; false when its ETag says nothing changed.</summary>
    private async Task<bool> ReadArchiveAsync(Uri archive, List<VulnerabilityRecord> records, List<string> failures, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, archive);
        if (etag is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        }

        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode == System.Net.HttpStatusCode.NotModified)
            {
                return false;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new FactSourceException($"{archive} answered {(int)response.StatusCode}");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await using var gzip = new System.IO.Compression.GZipStream(body, System.IO.Compression.CompressionMode.Decompress);
            await using var tar = new System.Formats.Tar.TarReader(gzip);
            var sawLayout = false;
            while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                var name = entry.Name.Replace('\\', '/');
                var at = name.IndexOf("/" + GoRecords + "/", StringComparison.Ordinal);
                sawLayout |= at >= 0 || name.EndsWith("/" + GoRecords + "/", StringComparison.Ordinal);
                if (at < 0 || entry.EntryType is not (System.Formats.Tar.TarEntryType.RegularFile or System.Formats.Tar.TarEntryType.V7RegularFile)
                    || !Path.GetFileName(name).StartsWith("MAL-", StringComparison.Ordinal) || !name.EndsWith(".json", StringComparison.Ordinal))
                {
                    continue;
                }

                if (entry.Length > VulnerabilityDatabase.MaxEntryBytes || entry.DataStream is null)
                {
                    Failed(failures, name, $"larger than {VulnerabilityDatabase.MaxEntryBytes} bytes");
                    continue;
                }

                await AddAsync(name[(at + 1)..], entry.DataStream, records, failures, cancellationToken);
            }

            if (!sawLayout)
            {
                throw new FactSourceException($"{archive} holds no {GoRecords}/ folder: it is not an archive of github.com/ossf/malicious-packages");
            }

            etag = response.Headers.ETag?.ToString();
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or FormatException)
        {
            throw new FactSourceException($"{archive}: {e.Message}", e);
        }
    }

    private async Task AddAsync(string where, Stream content, List<VulnerabilityRecord> records, List<string> failures, CancellationToken cancellationToken)
    {
        try
        {
            records.Add(await ReadAsync(Path.GetFileNameWithoutExtension(where), content, cancellationToken));
        }
        catch (FactSourceException e)
        {
            Failed(failures, where, e.Message);
        }
    }

    private void Failed(List<string> failures, string where, string reason)
    {
        failures.Add($"{where}: {reason}");
        LogRecordFailed(where, reason);
    }

    private static async Task<VulnerabilityRecord> ReadAsync(string expectedId, Stream content, CancellationToken cancellationToken)
    {
        if (!MaliciousRecord.IsMaliciousId(expectedId) || !VulnDbSource.IsSafeId(expectedId))
        {
            throw new FactSourceException("is not named as a MAL- record");
        }

        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        return OsvRecordText.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), expectedId, modified: null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Malicious packages: {File} not stored, tried again next time: {Reason}")]
    private partial void LogRecordFailed(string file, string reason);
}
