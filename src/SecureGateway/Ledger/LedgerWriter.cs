using Npgsql;

namespace SecureGateway.Ledger;

/// <summary>
/// Drains <see cref="DownloadLedger"/>'s queue into the database, a batch every <see cref="LedgerOptions.FlushInterval"/> or
/// <see cref="LedgerOptions.BatchSize"/> rows (identical pulls in a batch fold into one row, see <see cref="LedgerBatch"/>). While the database is down, batches go to the <see cref="LedgerSpool"/> and
/// the database is tried again every <see cref="LedgerOptions.RetryInterval"/>; once it answers, the spool is replayed (oldest
/// first) and deleted. On shutdown (after the server stopped taking requests) whatever is queued is written or spooled.
/// </summary>
public sealed partial class LedgerWriter(
    DownloadLedger ledger, LedgerSpool spool, LedgerDatabase database, LedgerOptions options, TimeProvider time, ILogger<LedgerWriter> logger)
    : BackgroundService
{
    private long nextAttempt;
    private bool down;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        spool.RecoverPartialFiles();
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        ledger.Close();
        await DrainAsync();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new LedgerBatch();
        try
        {
            while (true)
            {
                var pending = spool.Pending();
                if (pending.Count > 0 && DatabaseWorthTrying())
                {
                    await ReplayAsync(pending);
                }

                var idle = pending.Count > 0 ? options.RetryInterval : Timeout.InfiniteTimeSpan;
                if (!await WaitForEntriesAsync(idle, stoppingToken))
                {
                    continue;
                }

                await FillAsync(batch, stoppingToken);
                await FlushAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await FlushAsync(batch);
        }
    }

    /// <summary>Writes or spools everything still queued; used at shutdown, after the server stopped.</summary>
    internal async Task DrainAsync()
    {
        var batch = new LedgerBatch();
        while (ledger.TryTake(out var entry))
        {
            batch.Add(entry);
            if (batch.Count == options.BatchSize)
            {
                await FlushAsync(batch);
                batch.Clear();
            }
        }

        await FlushAsync(batch);
    }

    /// <summary>True when entries are queued; false when <paramref name="idle"/> passed first.</summary>
    private async Task<bool> WaitForEntriesAsync(TimeSpan idle, CancellationToken stoppingToken)
    {
        if (idle == Timeout.InfiniteTimeSpan)
        {
            return await ledger.WaitToTakeAsync(stoppingToken);
        }

        using var idleTimer = new CancellationTokenSource(idle, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, idleTimer.Token);
        try
        {
            return await ledger.WaitToTakeAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Takes entries until the batch has <see cref="LedgerOptions.BatchSize"/> rows or <see cref="LedgerOptions.FlushInterval"/>
    /// has passed. Between reads it sleeps a tenth of the interval instead of waiting on the queue: a waiting reader is
    /// woken by every <see cref="DownloadLedger.Record"/>, which under load would cost a thread-pool hand-off per pull.
    /// </summary>
    private async Task FillAsync(LedgerBatch batch, CancellationToken stoppingToken)
    {
        var until = time.GetUtcNow() + options.FlushInterval;
        var pause = options.FlushInterval / 10;
        while (true)
        {
            while (batch.Count < options.BatchSize && ledger.TryTake(out var entry))
            {
                batch.Add(entry);
            }

            var left = until - time.GetUtcNow();
            if (batch.Count >= options.BatchSize || left <= TimeSpan.Zero || ledger.Drained)
            {
                return;
            }

            await Task.Delay(left < pause ? left : pause, time, stoppingToken);
        }
    }

    private async Task FlushAsync(LedgerBatch batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var rows = batch.ToRows();
        if (!DatabaseWorthTrying() || !await TryWriteAsync(rows))
        {
            ledger.SpoolOrCount(rows);
        }
    }

    /// <summary>
    /// Writes spool files to the database, oldest first, several files per COPY up to <see cref="LedgerOptions.BatchSize"/>
    /// entries; each file is deleted once its rows are committed. Stops at the first failure (the database is down again).
    /// </summary>
    private async Task ReplayAsync(IReadOnlyList<string> files)
    {
        var (replayed, deleted) = (0, 0);
        var group = new List<string>();
        var entries = new List<LedgerEntry>();
        foreach (var file in files)
        {
            try
            {
                entries.AddRange(spool.Read(file));
                group.Add(file);
            }
            catch (System.Text.Json.JsonException e)
            {
                LogRejected(e, LedgerSpool.Reject(file));
            }

            if (entries.Count < options.BatchSize)
            {
                continue;
            }

            if (!await TryReplayAsync(group, entries))
            {
                (group, entries) = ([], []);
                break;
            }

            (replayed, deleted) = (replayed + entries.Count, deleted + group.Count);
            (group, entries) = ([], []);
        }

        if (group.Count > 0 && await TryReplayAsync(group, entries))
        {
            (replayed, deleted) = (replayed + entries.Count, deleted + group.Count);
        }

        if (deleted > 0)
        {
            LogReplayed(replayed, deleted);
        }
    }

    /// <summary>Writes one group of spool files; a group the database refuses is retried file by file, so only the bad file is set aside.</summary>
    private async Task<bool> TryReplayAsync(List<string> group, IReadOnlyList<LedgerEntry> entries)
    {
        try
        {
            if (entries.Count > 0 && !await TryWriteAsync(entries, rethrowRejection: true))
            {
                return false;
            }
        }
        catch (PostgresException e) when (group.Count == 1)
        {
            LogRejected(e, LedgerSpool.Reject(group[0]));
            return true;
        }
        catch (PostgresException)
        {
            foreach (var file in group)
            {
                if (!await TryReplayAsync([file], spool.Read(file)))
                {
                    return false;
                }
            }

            return true;
        }

        foreach (var file in group)
        {
            LedgerSpool.Delete(file);
        }

        return true;
    }

    /// <summary>False (and the database marked down) when the database did not take the entries.</summary>
    private async Task<bool> TryWriteAsync(IReadOnlyList<LedgerEntry> entries, bool rethrowRejection = false)
    {
        using var timeout = new CancellationTokenSource(options.WriteTimeout);
        try
        {
            await database.WriteAsync(entries, timeout.Token);
            if (down)
            {
                down = false;
                LogRecovered();
            }

            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException or InvalidOperationException)
        {
            if (rethrowRejection && LedgerDatabase.IsRejection(e))
            {
                throw;
            }

            if (!down)
            {
                down = true;
                LogDown(e, options.RetryInterval, spool.Directory);
            }

            Interlocked.Exchange(ref nextAttempt, (time.GetUtcNow() + options.RetryInterval).UtcTicks);
            return false;
        }
    }

    private bool DatabaseWorthTrying() => !down || time.GetUtcNow().UtcTicks >= Interlocked.Read(ref nextAttempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Download ledger: the database is unavailable; spooling to {Directory}, retrying every {Retry}")]
    private partial void LogDown(Exception exception, TimeSpan retry, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Download ledger: the database is back")]
    private partial void LogRecovered();

    [LoggerMessage(Level = LogLevel.Information, Message = "Download ledger: replayed {Entries} spooled entries from {Files} files")]
    private partial void LogReplayed(int entries, int files);

    [LoggerMessage(Level = LogLevel.Error, Message = "Download ledger: spool file set aside as {File}: the database refuses its content")]
    private partial void LogRejected(Exception exception, string file);
}
