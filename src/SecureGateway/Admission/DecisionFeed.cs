using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using SecureGateway.Audit;
using SecureGateway.Data.Decisions;
using SecureGateway.Hosting;
using SecureGateway.Modules;

namespace SecureGateway.Admission;

/// <summary>
/// Keeps <see cref="ServingDecisions"/> equal to the database: listens on the <c>decisions</c> channel (a trigger
/// announces every insert, by any process, on commit), loads every current decision at start and after every
/// reconnect, and applies each announced decision as it comes, moving local files to match. While it cannot listen
/// the process serves from its last view; past <see cref="GatewayOptions.DecisionFeedWindow"/> it is not ready.
/// </summary>
public sealed partial class DecisionFeed(
    AuditDatabase database,
    DecisionLog decisions,
    ServingDecisions serving,
    ArtefactPlacement placement,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<DecisionFeed> logger) : BackgroundService
{
    public const string Channel = "decisions";
    private const int BatchSize = 500;
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);
    // How long announcements wait for this process's recordings under way (they end within milliseconds of their commit):
    // a recording stuck longer must not hold back the decisions of other processes.
    private static readonly TimeSpan OwnRecordingsWait = TimeSpan.FromSeconds(2);

    private readonly Channel<long> announced = System.Threading.Channels.Channel.CreateUnbounded<long>(new() { SingleReader = true });
    private NpgsqlConnection? listening;
    /// <summary>UTC ticks since the listener was lost, 0 while listening; read by the health check on other threads.</summary>
    private long lostSinceTicks;
    private bool reportedLost;
    private long readBack;

    /// <summary>Since when the process has not been listening; null while it is.</summary>
    public DateTimeOffset? LostSince => Volatile.Read(ref lostSinceTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public TimeSpan Window => options.Value.DecisionFeedWindow;

    /// <summary>
    /// Announced decisions read from the database: those other processes recorded. This process's own are applied as it
    /// records them, and read back only should a recording outlast the wait for it.
    /// </summary>
    public long ReadBack => Interlocked.Read(ref readBack);

    /// <summary>Listens, then loads everything: the host serves nothing before the first view is complete.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        listening = await ListenAsync(cancellationToken);
        await ResyncAsync(placeChanges: false, cancellationToken);
        serving.MarkLoaded();
        await base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        listening?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var applying = ApplyAnnouncedAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (listening is null)
                {
                    listening = await ListenAsync(stoppingToken);
                    await ResyncAsync(placeChanges: true, stoppingToken);
                    LogResumed(LostSince);
                    Volatile.Write(ref lostSinceTicks, 0);
                    reportedLost = false;
                }

                while (true)
                {
                    await listening.WaitAsync(stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever broke the listener, the view may go stale: count it as lost and start again.
                var now = time.GetUtcNow();
                Interlocked.CompareExchange(ref lostSinceTicks, now.UtcTicks, 0);
                var since = LostSince!.Value;
                if (now - since > Window && !reportedLost)
                {
                    reportedLost = true;
                    LogLost(since, Window);
                }
                else
                {
                    LogNotListening(e.Message);
                }

                await (listening?.DisposeAsync() ?? ValueTask.CompletedTask);
                listening = null;
                await Task.Delay(Retry, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await applying;
    }

    private async Task<NpgsqlConnection> ListenAsync(CancellationToken cancellationToken)
    {
        // Keepalives at both levels: a silently dropped connection must surface as an error, not as a quiet channel.
        var settings = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            Pooling = false, KeepAlive = 5, TcpKeepAlive = true, TcpKeepAliveTime = 5, TcpKeepAliveInterval = 1,
        };
        var connection = new NpgsqlConnection(settings.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            connection.Notification += (_, e) =>
            {
                if (long.TryParse(e.Payload, out var id))
                {
                    announced.Writer.TryWrite(id);
                }
            };
            await using var listen = new NpgsqlCommand($"LISTEN {Channel}", connection);
            await listen.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Loads every version's current decision (only the columns serving needs).</summary>
    private async Task ResyncAsync(bool placeChanges, CancellationToken cancellationToken)
    {
        var changed = 0;
        await foreach (var decision in decisions.CurrentForServingAsync(cancellationToken))
        {
            if (serving.Apply(decision))
            {
                changed++;
                if (placeChanges)
                {
                    await PlaceAsync(decision, cancellationToken);
                }
            }
        }

        LogResynced(serving.Count, changed);
    }

    /// <summary>Applies announced decisions in batches; a batch that cannot be read is tried again (a resync would cover it too).</summary>
    private async Task ApplyAnnouncedAsync(CancellationToken stoppingToken)
    {
        var ids = new List<long>(BatchSize);
        try
        {
            while (await announced.Reader.WaitToReadAsync(stoppingToken))
            {
                while (ids.Count < BatchSize && announced.Reader.TryRead(out var id))
                {
                    if (!serving.WasRecordedHere(id))
                    {
                        ids.Add(id);
                    }
                }

                if (ids.Count > 0)
                {
                    await OwnRecordingsEndedAsync(stoppingToken);
                    ids.RemoveAll(serving.WasRecordedHere);
                }

                if (ids.Count == 0)
                {
                    continue;
                }

                try
                {
                    var read = await decisions.ForServingAsync(ids, stoppingToken);
                    Interlocked.Add(ref readBack, read.Count);
                    foreach (var decision in read)
                    {
                        if (serving.Apply(decision))
                        {
                            await PlaceAsync(decision, stoppingToken);
                        }
                    }

                    ids.Clear();
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // The batch is kept and tried again: an announced decision must not be dropped.
                    LogNotApplied(e);
                    await Task.Delay(Retry, time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    /// <summary>
    /// Waits for this process's recordings under way: their decisions may be announced before they are applied here,
    /// and need no reading back once they are.
    /// </summary>
    private async Task OwnRecordingsEndedAsync(CancellationToken stoppingToken)
    {
        try
        {
            await serving.RecordingsUnderWay().WaitAsync(OwnRecordingsWait, time, stoppingToken);
        }
        catch (TimeoutException)
        {
            // Read back like any other; the recording applies its decision when it ends, "the higher id wins" either way.
        }
    }

    private async Task PlaceAsync(Decision decision, CancellationToken cancellationToken)
    {
        var module = new ModuleVersion(decision.Module, decision.Version);
        try
        {
            await placement.PlaceAsync(module, serving.Of(module), cancellationToken);
        }
        catch (Exception e) when (Storage.ArtefactStores.IsFailure(e))
        {
            // Serving does not depend on it; the next start's repair finishes the move.
            LogPlacementFailed(module, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Current decisions loaded: {Count} versions known, {Changed} changed")]
    private partial void LogResynced(int count, int changed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not hearing decisions of other processes ({Reason}); serving from the last view, retrying")]
    private partial void LogNotListening(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Announced decisions could not be applied; trying again")]
    private partial void LogNotApplied(Exception exception);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Decisions of other processes unheard since {Since} (more than {Window}): a revocation may not be enforced here; /readyz fails until listening resumes")]
    private partial void LogLost(DateTimeOffset since, TimeSpan window);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for decisions again (lost since {Since}); resynchronised")]
    private partial void LogResumed(DateTimeOffset? since);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Module}: files not moved to match its current decision: {Reason}")]
    private partial void LogPlacementFailed(ModuleVersion module, string reason);
}
