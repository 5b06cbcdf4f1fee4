using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using SecureGateway.Coordination;
using SecureGateway.Data;
using SecureGateway.Policy;

namespace SecureGateway.Facts;

/// <summary>
/// A mirror of a module index feed (index.golang.org's format: <c>GET {Url}/index?since=RFC3339&amp;limit=N</c> answers
/// JSON lines <c>{"Path", "Version", "Timestamp"}</c> in timestamp order) in PostgreSQL (<c>module_index</c>), so the
/// age rule can measure from a publication time the publisher cannot backdate. The mirror covers
/// <see cref="ModuleIndexOptions.Window"/>: the first sync starts that far back, later ones resume from the newest stored
/// timestamp, and older entries are pruned.
/// </summary>
public sealed partial class ModuleIndexFeed : IDisposable
{
    public const string HttpClientName = "module-index";

    /// <summary>How long an admission waits for a catch-up sync (and for a running sync to end) before going without.</summary>
    internal static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Catch-up syncs for unknown versions start at most this often.</summary>
    internal static readonly TimeSpan CatchUpInterval = TimeSpan.FromSeconds(30);

    private const int MaxLineBytes = 64 * 1024;
    private const int MaxModuleLength = 1024;
    private const int MaxVersionLength = 255;

    private readonly IDbContextFactory<AuditDbContext> contexts;
    private readonly IHttpClientFactory http;
    private readonly ModuleIndexOptions options;
    private readonly Uri? feed;
    private readonly FactFreshness freshness;
    private readonly TimeProvider time;
    private readonly ILogger<ModuleIndexFeed> logger;
    private readonly SemaphoreSlim syncing = new(1, 1);
    private long lastAttemptTicks;
    private long lastCompletedTicks;

    // Set by a sync that failed, cleared by one that succeeded: an admission never waits on a feed known to be down.
    private bool failing;

    public ModuleIndexFeed(
        IDbContextFactory<AuditDbContext> contexts, IHttpClientFactory http, IOptions<ModuleIndexOptions> options, FactFreshness freshness,
        TimeProvider time, ILogger<ModuleIndexFeed> logger)
    {
        this.freshness = freshness;
        this.contexts = contexts;
        this.http = http;
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
        feed = FactSourceSettings.HttpUrl(this.options.Url, $"{ModuleIndexOptions.Section}:Url");
    }

    /// <summary>The feed's base URL; null when the feed is off.</summary>
    public Uri? Url => feed;

    /// <summary>
    /// When the feed first listed <paramref name="module"/>@<paramref name="version"/>; null when the mirror does not know it.
    /// A version the mirror does not know yet triggers a short catch-up sync first (at most one every 30 s, waited for at
    /// most 10 s, none while the last sync failed), so that a version published minutes ago is found; the feed being
    /// unreachable only means null.
    /// </summary>
    /// <remarks>Database errors propagate: a caller that owes an answer fails closed.</remarks>
    public async Task<DateTimeOffset?> PublishedAsync(string module, string version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(version);
        var published = await LookupAsync(module, version, cancellationToken);
        if (published is null && feed is not null && await CatchUpAsync(cancellationToken))
        {
            published = await LookupAsync(module, version, cancellationToken);
        }

        return published;
    }

    /// <summary>
    /// What the index says of the version for its age: listed with its time; not listed though the mirror is current
    /// (caught up now, or by a sync completed within the catch-up interval); or unknown (the feed cannot be read up to
    /// now). Not applicable when the feed is off. <paramref name="published"/> is what the mirror held when it was read
    /// (<see cref="PublishedRead"/>, in the admission's claim).
    /// </summary>
    public async Task<(DateTimeOffset? Published, IndexVerdict Verdict)> AskAsync(string module, string version, DateTimeOffset? published, CancellationToken cancellationToken)
    {
        if (feed is null || published is not null)
        {
            return (published, published is null ? IndexVerdict.NotApplicable : IndexVerdict.Listed);
        }

        if (await CatchUpAsync(cancellationToken))
        {
            published = await LookupAsync(module, version, cancellationToken);
            return (published, published is null ? IndexVerdict.NotListed : IndexVerdict.Listed);
        }

        var current = time.GetUtcNow().UtcTicks - Volatile.Read(ref lastCompletedTicks) < CatchUpInterval.Ticks;
        return (null, current ? IndexVerdict.NotListed : IndexVerdict.Unknown);
    }

    /// <summary>Fetches the feed from where the mirror ends up to now, then prunes entries older than the window.</summary>
    /// <exception cref="FactSourceException">The feed is off, cannot be reached, or answers something else than its format.</exception>
    public async Task<IndexSyncResult> SyncAsync(CancellationToken cancellationToken)
    {
        var url = feed ?? throw new FactSourceException($"the module index feed is off ({ModuleIndexOptions.Section}:Url)");
        await syncing.WaitAsync(cancellationToken);
        try
        {
            return await SyncFromAsync(url, cancellationToken);
        }
        finally
        {
            syncing.Release();
        }
    }

    /// <summary>What the mirror holds of the version, as a statement to run in the round trip of another command (an admission's claim).</summary>
    public static BatchedRead<DateTimeOffset?> PublishedRead(string module, string version) => new(
        new NpgsqlBatchCommand("SELECT timestamp FROM module_index WHERE module = $1 AND version = $2 LIMIT 1")
        {
            Parameters = { new() { Value = module }, new() { Value = version } },
        },
        async (reader, cancellationToken) => await reader.ReadAsync(cancellationToken) ? reader.GetFieldValue<DateTimeOffset>(0) : null);

    private Task<DateTimeOffset?> LookupAsync(string module, string version, CancellationToken cancellationToken) =>
        PublishedRead(module, version).RunAsync(contexts, cancellationToken);

    /// <returns>True when a sync completed after the caller asked (so a second lookup is worth it).</returns>
    private async Task<bool> CatchUpAsync(CancellationToken cancellationToken)
    {
        var asked = time.GetUtcNow().UtcTicks;
        if (Volatile.Read(ref failing) || asked - Volatile.Read(ref lastAttemptTicks) < CatchUpInterval.Ticks)
        {
            return false;
        }

        // A long sync (the first one mirrors the whole window) must not hold an admission up.
        if (!await syncing.WaitAsync(CatchUpTimeout, cancellationToken))
        {
            return false;
        }

        try
        {
            if (Volatile.Read(ref lastCompletedTicks) >= asked)
            {
                return true;
            }

            if (time.GetUtcNow().UtcTicks - Volatile.Read(ref lastAttemptTicks) < CatchUpInterval.Ticks)
            {
                return false;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CatchUpTimeout);
            try
            {
                await SyncFromAsync(feed!, timeout.Token);
                return true;
            }
            catch (Exception e) when (e is FactSourceException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                LogCatchUpFailed(feed!, e.Message);
                return false;
            }
        }
        finally
        {
            syncing.Release();
        }
    }

    private async Task<IndexSyncResult> SyncFromAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            var result = await MirrorAsync(url, cancellationToken);
            Volatile.Write(ref failing, false);
            return result;
        }
        catch (Exception e) when (e is FactSourceException or OperationCanceledException)
        {
            // Until a background sync gets through again, admissions take "unknown" at once instead of waiting on it.
            Volatile.Write(ref failing, true);
            throw;
        }
    }

    private async Task<IndexSyncResult> MirrorAsync(Uri url, CancellationToken cancellationToken)
    {
        Volatile.Write(ref lastAttemptTicks, time.GetUtcNow().UtcTicks);
        var windowStart = time.GetUtcNow() - options.Window;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var newest = await db.ModuleIndex.MaxAsync(e => (DateTimeOffset?)e.Timestamp, cancellationToken);
        var start = newest is { } n && n > windowStart ? n : windowStart;

        // Resume from the last line's own text: the feed's timestamps are finer than .NET's and PostgreSQL's.
        var since = start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        int pages = 0, lines = 0, added = 0;
        while (true)
        {
            var page = await ReadPageAsync(url, since, cancellationToken);
            pages++;
            lines += page.Count;
            added += await StoreAsync(db, page, cancellationToken);
            if (page.Count == 0)
            {
                break;
            }

            var last = page[^1].RawTimestamp;
            var samePage = last == since;
            since = last;
            if (page.Count < options.PageSize)
            {
                break;
            }

            if (samePage)
            {
                // A whole page at one timestamp: asking again would answer the same page.
                LogStuckPage(url, since, options.PageSize);
                break;
            }
        }

        var pruned = await db.Database.ExecuteSqlAsync($"DELETE FROM module_index WHERE \"timestamp\" < {windowStart}", cancellationToken);
        var result = new IndexSyncResult(url.AbsoluteUri.TrimEnd('/'), pages, lines, added, pruned, since, time.GetUtcNow());
        await freshness.RecordAsync(FactFreshness.Index, result.Url, null, result.CompletedAt, cancellationToken);
        Volatile.Write(ref lastCompletedTicks, result.CompletedAt.UtcTicks);
        return result;
    }

    private async Task<List<IndexLine>> ReadPageAsync(Uri url, string since, CancellationToken cancellationToken)
    {
        var request = new Uri(url, $"index?since={Uri.EscapeDataString(since)}&limit={options.PageSize.ToString(CultureInfo.InvariantCulture)}");
        try
        {
            using var response = await http.CreateClient(HttpClientName).GetAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new FactSourceException($"{request}: answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var reader = new StreamReader(body);
            var page = new List<IndexLine>();
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.Length > MaxLineBytes)
                {
                    throw new FactSourceException($"{request}: a line of more than {MaxLineBytes} characters");
                }

                if (!string.IsNullOrWhiteSpace(line))
                {
                    page.Add(ParseLine(line, request));
                }

                if (page.Count > options.PageSize)
                {
                    throw new FactSourceException($"{request}: more than the {options.PageSize} lines asked for");
                }
            }

            return page;
        }
        catch (Exception e) when (e is HttpRequestException or IOException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new FactSourceException($"{request}: {(e is OperationCanceledException ? "timed out" : e.Message)}", e);
        }
    }

    private static IndexLine ParseLine(string line, Uri request)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("Path", out var path) && path.ValueKind == JsonValueKind.String
                && root.TryGetProperty("Version", out var version) && version.ValueKind == JsonValueKind.String
                && root.TryGetProperty("Timestamp", out var timestamp) && timestamp.ValueKind == JsonValueKind.String
                && timestamp.TryGetDateTimeOffset(out var parsed))
            {
                return new IndexLine(path.GetString()!, version.GetString()!, parsed.ToUniversalTime(), timestamp.GetString()!);
            }
        }
        catch (JsonException)
        {
            // Reported below with the line.
        }

        throw new FactSourceException($"{request}: not a module index line: {(line.Length > 200 ? line[..200] + "…" : line)}");
    }

    /// <summary>Inserts the page's versions; a version already mirrored keeps its first timestamp.</summary>
    private static async Task<int> StoreAsync(AuditDbContext db, List<IndexLine> page, CancellationToken cancellationToken)
    {
        var rows = page.Where(l => l.Path.Length is > 0 and <= MaxModuleLength && l.Version.Length is > 0 and <= MaxVersionLength).ToList();
        if (rows.Count == 0)
        {
            return 0;
        }

        return await db.Database.ExecuteSqlRawAsync(
            """
            INSERT INTO module_index (module, version, "timestamp")
            SELECT * FROM unnest(@modules, @versions, @timestamps)
            ON CONFLICT (module, version) DO NOTHING
            """,
            [
                new NpgsqlParameter("modules", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Path).ToArray() },
                new NpgsqlParameter("versions", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Version).ToArray() },
                new NpgsqlParameter("timestamps", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = rows.Select(r => r.Timestamp).ToArray() },
            ],
            cancellationToken);
    }

    private sealed record IndexLine(string Path, string Version, DateTimeOffset Timestamp, string RawTimestamp);

    public void Dispose() => syncing.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Module index {Url}: catch-up sync for an unknown version failed, the age rule uses the .info time: {Reason}")]
    private partial void LogCatchUpFailed(Uri url, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Module index {Url}: all {PageSize} lines of the page since {Since} have the same timestamp; stopping this sync there")]
    private partial void LogStuckPage(Uri url, string since, int pageSize);
}

/// <summary>What one module index sync did.</summary>
/// <param name="Url">The feed.</param>
/// <param name="Pages">Requests made.</param>
/// <param name="Lines">Lines read (pages overlap by their boundary timestamp, so some are already mirrored).</param>
/// <param name="Added">Versions mirrored for the first time.</param>
/// <param name="Pruned">Entries removed for being older than the window.</param>
/// <param name="Until">The feed timestamp the mirror now reaches (the next sync starts there).</param>
/// <param name="CompletedAt">When the sync finished.</param>
public sealed record IndexSyncResult(string Url, int Pages, int Lines, int Added, int Pruned, string Until, DateTimeOffset CompletedAt)
{
    public string Summary => $"mirrored {Added} new versions ({Lines} lines in {Pages} pages, {Pruned} pruned) from {Url}, up to {Until}";

    public override string ToString() => Summary;
}
