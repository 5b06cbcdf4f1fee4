using SecureGateway.Ledger;

namespace SecureGateway.Tests.Ledger;

public sealed class DownloadConsumersTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Find_SeveralClients_GroupedByClientLatestFirstWithCountsKindsVersionsAndLatestUserAgent()
    {
        var database = await AuditTestDatabase.CreateAsync();
        await new LedgerDatabase(() => database.ConnectionString).WriteAsync(
        [
            Entry(0, "v1.0.0", "mod", "alice", "Go-http-client/1.1"),
            Entry(1, "v1.0.0", "zip", "alice", "Go-http-client/2.0"),
            Entry(2, "v1.1.0", "info", "alice", null),
            Entry(5, "v1.0.0", "zip", "10.1.2.3", "curl/8"),
            Entry(3, "v1.0.0", "zip", "bob", "Go-http-client/1.1"),
            new LedgerEntry(T0.AddMinutes(9), "example.com/other", "v1.0.0", "zip", "carol", null),
            Entry(4, "v1.0.0", "zip", "bob", "Go-http-client/1.1") with { LastTime = T0.AddMinutes(7), Count = 6 },
        ], CancellationToken.None);
        var consumers = new DownloadConsumers(database.Contexts);

        var all = await consumers.FindAsync("example.com/m", null, CancellationToken.None);
        var v100 = await consumers.FindAsync("example.com/m", "v1.0.0", CancellationToken.None);
        var none = await consumers.FindAsync("example.com/never", null, CancellationToken.None);

        Assert.Equal(["bob", "10.1.2.3", "alice"], all.Select(c => c.Client));
        var alice = all[2];
        Assert.Equal(T0, alice.FirstPulled);
        Assert.Equal(T0.AddMinutes(2), alice.LastPulled);
        Assert.Equal(3, alice.Count);
        Assert.Equal(["info", "mod", "zip"], alice.Kinds);
        Assert.Equal(["v1.0.0", "v1.1.0"], alice.Versions);
        Assert.Equal("Go-http-client/2.0", alice.UserAgent);
        Assert.Equal(["bob", "10.1.2.3", "alice"], v100.Select(c => c.Client));
        Assert.Equal(2, v100[2].Count);
        Assert.Equal((T0.AddMinutes(3), T0.AddMinutes(7), 7L), (all[0].FirstPulled, all[0].LastPulled, all[0].Count));
        Assert.Empty(none);
    }

    private static LedgerEntry Entry(int minute, string version, string kind, string client, string? userAgent) =>
        new(T0.AddMinutes(minute), "example.com/m", version, kind, client, userAgent);
}
