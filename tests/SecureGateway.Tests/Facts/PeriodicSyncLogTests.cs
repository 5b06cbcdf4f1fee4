using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SecureGateway.Facts;

namespace SecureGateway.Tests.Facts;

/// <summary>An unreachable fact source is one log line with its cause per try, not a stack trace; a fault still carries one.</summary>
public sealed class PeriodicSyncLogTests
{
    [Fact]
    public async Task Sync_SourceUnreachable_OneWarningWithTheCauseAndNoException()
    {
        var log = await FirstLogAsync(new FactSourceException("https://vuln.go.dev/index/modules.json: connection refused (vuln.go.dev:443)"));

        Assert.Equal(LogLevel.Warning, log.Level);
        Assert.Null(log.Exception);
        Assert.Contains("connection refused (vuln.go.dev:443)", log.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_Fault_ErrorWithTheException()
    {
        var log = await FirstLogAsync(new InvalidOperationException("a bug"));

        Assert.Equal(LogLevel.Error, log.Level);
        Assert.IsType<InvalidOperationException>(log.Exception);
    }

    private static async Task<Entry> FirstLogAsync(Exception failure)
    {
        var logger = new CapturingLogger();
        using var sync = new PeriodicSync("Vulnerability database", enabled: true, TimeSpan.FromHours(1), _ => throw failure, TimeProvider.System, logger);
        await sync.StartAsync(CancellationToken.None);
        var entry = await logger.First.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await sync.StopAsync(CancellationToken.None);
        return entry;
    }

    private sealed record Entry(LogLevel Level, string Message, Exception? Exception);

    private sealed class CapturingLogger : ILogger<PeriodicSync>
    {
        public TaskCompletionSource<Entry> First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            First.TrySetResult(new Entry(logLevel, formatter(state, exception), exception));
    }
}
