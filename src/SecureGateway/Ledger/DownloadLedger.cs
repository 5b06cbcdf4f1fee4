using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace SecureGateway.Ledger;

/// <summary>
/// Who pulled what. <see cref="Record"/> is called on the request path for every artefact served and never waits for the
/// database: entries go to a bounded in-memory queue that <see cref="LedgerWriter"/> writes in batches. When the queue is
/// full (or closed at shutdown) the entry is spooled to disk at once rather than dropped.
/// </summary>
/// <remarks>
/// The queue is a lock-free single-reader channel bounded by a counter: a bounded channel takes a lock on every write,
/// which on a cached GET costs more than everything else the ledger does there.
/// </remarks>
public sealed partial class DownloadLedger
{
    private readonly Channel<LedgerEntry> queue = Channel.CreateUnbounded<LedgerEntry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int capacity;
    private readonly LedgerSpool spool;
    private readonly TimeProvider time;
    private readonly ILogger<DownloadLedger> logger;
    private long queued;
    private long spooledDirectly;
    private long lost;

    internal DownloadLedger(LedgerOptions options, LedgerSpool spool, TimeProvider time, ILogger<DownloadLedger> logger)
    {
        capacity = options.Capacity;
        this.spool = spool;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>Entries spooled on the request path because the queue was full or closed.</summary>
    public long SpooledDirectly => Interlocked.Read(ref spooledDirectly);

    /// <summary>Entries lost because neither the database nor the spool directory could take them (each loss is logged).</summary>
    public long Lost => Interlocked.Read(ref lost);

    /// <summary>True once <see cref="Close"/> was called and everything queued was taken.</summary>
    internal bool Drained => queue.Reader.Completion.IsCompleted;

    /// <summary>Entries waiting for the writer.</summary>
    internal long Queued => Interlocked.Read(ref queued);

    internal bool TryTake([MaybeNullWhen(false)] out LedgerEntry entry)
    {
        if (!queue.Reader.TryRead(out entry))
        {
            return false;
        }

        Interlocked.Decrement(ref queued);
        return true;
    }

    /// <summary>True when an entry can be taken; false once the queue is closed and empty.</summary>
    internal ValueTask<bool> WaitToTakeAsync(CancellationToken cancellationToken) => queue.Reader.WaitToReadAsync(cancellationToken);

    /// <param name="module">Module path as requested (unescaped).</param>
    /// <param name="version">Canonical version.</param>
    /// <param name="kind"><c>info</c>, <c>mod</c> or <c>zip</c>.</param>
    /// <param name="client">The token's name when the client authenticated, else its address.</param>
    /// <param name="userAgent">The User-Agent header, if any.</param>
    public void Record(string module, string version, string kind, string client, string? userAgent)
    {
        var entry = LedgerEntry.Create(time.GetUtcNow(), module, version, kind, client, userAgent);
        if (Interlocked.Increment(ref queued) <= capacity && queue.Writer.TryWrite(entry))
        {
            return;
        }

        Interlocked.Decrement(ref queued);

        var total = Interlocked.Increment(ref spooledDirectly);
        if (total == 1 || total % 10_000 == 0)
        {
            LogQueueFull(total);
        }

        SpoolOrCount([entry]);
    }

    /// <summary>After shutdown drained the queue: later entries go straight to the spool.</summary>
    internal void Close() => queue.Writer.TryComplete();

    /// <summary>Puts entries in the spool; if even that fails, counts and logs them as lost. Returns whether they are safe.</summary>
    internal bool SpoolOrCount(IReadOnlyCollection<LedgerEntry> entries)
    {
        try
        {
            spool.Append(entries);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var total = Interlocked.Add(ref lost, entries.Count);
            LogLost(e, entries.Count, total, spool.Directory);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Download ledger queue full: entries are spooled to disk on the request path ({Total} so far)")]
    private partial void LogQueueFull(long total);

    [LoggerMessage(Level = LogLevel.Error, Message = "Download ledger LOST {Count} entries ({Total} so far): the database and the spool directory {Directory} both failed")]
    private partial void LogLost(Exception exception, int count, long total, string directory);
}
