namespace SecureGateway.Facts;

/// <summary>
/// Runs one fact source's sync at start and then every interval, for the life of the host. A failed sync is logged and
/// tried again at the next tick; it never stops the gateway.
/// </summary>
internal sealed partial class PeriodicSync(
    string name, bool enabled, TimeSpan interval, Func<CancellationToken, Task<string>> sync, TimeProvider time, ILogger<PeriodicSync> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!enabled)
        {
            LogOff(name);
            return;
        }

        // Let the host finish starting before the first (possibly long) sync.
        await Task.Yield();
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            do
            {
                try
                {
                    var summary = await sync(stoppingToken);
                    LogSynced(name, summary);
                }
                catch (Exception e) when (IsExpected(e) && !stoppingToken.IsCancellationRequested)
                {
                    // An unreachable or broken source is an outage to report in one line, not a fault with a stack trace.
                    LogUnavailable(name, interval, e.Message);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogFailed(e, name, interval, e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name}: {Summary}")]
    private partial void LogSynced(string name, string summary);

    internal static bool IsExpected(Exception e) =>
        e is FactSourceException or HttpRequestException or IOException or TimeoutException or Npgsql.NpgsqlException
            || e is TaskCanceledException { InnerException: TimeoutException };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: unavailable, next try in {Interval}: {Reason}")]
    private partial void LogUnavailable(string name, TimeSpan interval, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Name}: sync failed, next try in {Interval}: {Reason}")]
    private partial void LogFailed(Exception exception, string name, TimeSpan interval, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name}: off")]
    private partial void LogOff(string name);
}
