using Microsoft.Extensions.Logging.Abstractions;
using SecureGateway.Ledger;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Ledger;

/// <summary>A download ledger and its writer against a real database, with short intervals; not a whole gateway.</summary>
internal sealed class LedgerHarness : IAsyncDisposable
{
    private bool running;

    public LedgerHarness(AuditTestDatabase database, LedgerOptions? options = null, string? spoolDirectory = null)
    {
        Database = database;
        Options = options ?? new LedgerOptions
        {
            FlushInterval = TimeSpan.FromMilliseconds(50),
            RetryInterval = TimeSpan.FromMilliseconds(200),
            WriteTimeout = TimeSpan.FromSeconds(5),
        };
        Spool = new LedgerSpool(spoolDirectory ?? Path.Combine(TempDirectory.Create("ledger"), "ledger-spool"));
        Ledger = new DownloadLedger(Options, Spool, TimeProvider.System, NullLogger<DownloadLedger>.Instance);
        Writer = new LedgerWriter(Ledger, Spool, new LedgerDatabase(() => database.ConnectionString), Options, TimeProvider.System, NullLogger<LedgerWriter>.Instance);
    }

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
