using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SecureGateway.Ledger;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Ledger;

/// <summary>
/// A download ledger and its writer against a real database, not a whole gateway. Flush windows and retry intervals run
/// on <see cref="Time"/>: they pass when the test advances it, never by themselves.
/// </summary>
internal sealed class LedgerHarness : IAsyncDisposable
{
    private bool running;

    public LedgerHarness(AuditTestDatabase database, LedgerOptions? options = null, string? spoolDirectory = null)
    {
        Database = database;
        Options = options ?? new LedgerOptions();
        Spool = new LedgerSpool(spoolDirectory ?? Path.Combine(TempDirectory.Create("ledger"), "ledger-spool"));
        Ledger = new DownloadLedger(Options, Spool, Time, NullLogger<DownloadLedger>.Instance);
        Writer = new LedgerWriter(Ledger, Spool, new LedgerDatabase(() => database.ConnectionString), Options, Time, NullLogger<LedgerWriter>.Instance);
    }

    /// <summary>Starts at a whole second, so a time read back from PostgreSQL (microseconds) equals the one recorded.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public AuditTestDatabase Database { get; }

    public LedgerOptions Options { get; }

    public LedgerSpool Spool { get; }

    public DownloadLedger Ledger { get; }

    public LedgerWriter Writer { get; }

    public async Task StartAsync()
    {
        await Writer.StartAsync(CancellationToken.None);
        running = true;
    }

    public async Task StopAsync()
    {
        if (running)
        {
            running = false;
            await Writer.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Lets time pass, a flush window or retry interval per look, until <paramref name="condition"/> holds: for steps whose
    /// outcome, not timing, is under test.
    /// </summary>
    public Task AdvanceUntilAsync(Func<Task<bool>> condition, string what) =>
        Eventually.HoldsAsync(
            async () =>
            {
                Time.Advance(Options.FlushInterval > Options.RetryInterval ? Options.FlushInterval : Options.RetryInterval);
                return await condition();
            },
            what);

    public void Record(int count, string module = "example.com/m", string client = "10.0.0.1")
    {
        for (var i = 0; i < count; i++)
        {
            Ledger.Record(module, "v1.0.0", "zip", client, "Go-http-client/1.1");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Writer.Dispose();
    }
}
