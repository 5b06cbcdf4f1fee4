using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using SecureGateway.Data.Embedded;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Admission;

/// <summary>
/// Faults around an admission, end to end: the go user is told why, nothing is recorded or cached while it lasts, and
/// the gateway admits by itself once it is over. Counted with these: a 500 and a truncated zip
/// (<see cref="RefusalTests"/>), the audit database dropped (Audit/FailClosedTests), too many first requests at once
/// (<see cref="AdmissionLimitsTests"/>), a silent checksum DB (ChecksumDbAdmissionTests).
/// </summary>
public sealed class FaultTests
{
    private const string Module = "example.com/faulty";
    private const string Version = "v1.0.0";

    /// <param name="Inject">Makes the upstream misbehave for the module (the argument is its server).</param>
    /// <param name="Path">The upstream path that misbehaves.</param>
    private sealed record UpstreamFault(string Path, Action<StaticGoProxyServer, string> Inject, HttpStatusCode Status, string Reason);

    private static readonly Dictionary<string, UpstreamFault> UpstreamFaults = new()
    {
        ["reset-mid-zip"] = new(Artefact("zip"), (server, path) => server.ResetMidBody(path), HttpStatusCode.BadGateway, "upstream error: "),
        ["closed-without-answer"] = new(Artefact("info"), (server, path) => server.CloseWithoutAnswer(path), HttpStatusCode.BadGateway, "upstream error: "),
        ["503-with-reason"] = new(Artefact("mod"), (server, path) => server.RespondWithStatus(path, 503, "maintenance until 14:00\n"),
            HttpStatusCode.BadGateway, "answered 503: maintenance until 14:00"),
    };

    public static TheoryData<string> UpstreamFaultNames => [.. UpstreamFaults.Keys];

    [Theory]
    [MemberData(nameof(UpstreamFaultNames))]
    public async Task Get_UpstreamFault_ReasonNothingRecordedThenAdmittedOnceOver(string name)
    {
        var fault = UpstreamFaults[name];
        await using var upstream = StaticGoProxyServer.Start(Upstream());
        fault.Inject(upstream, fault.Path);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url);

        var (status, body) = await GetZipAsync(gateway);

        Assert.Equal(fault.Status, status);
        Assert.Contains(fault.Reason, body, StringComparison.Ordinal);
        await AssertNothingKeptAsync(gateway);
        await AssertAdmittedOnceOverAsync(upstream, fault.Path, gateway);
    }

    /// <summary>
    /// The idle timeout runs on a fake clock, advanced once the request is held at the upstream (the timer is set before
    /// the request goes out): the case waits on no real timer, and the fetches after it cannot time out under load.
    /// </summary>
    [Fact]
    public async Task Get_UpstreamSilentPastIdleTimeout_504NothingRecordedThenAdmittedOnceOver()
    {
        var info = Artefact("info");
        await using var upstream = StaticGoProxyServer.Start(Upstream());
        upstream.HoldUntil(info, new TaskCompletionSource().Task);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayInstance.StartOnClockAsync(upstream.Url, time, "--Gateway:UpstreamTimeout=00:01:00");

        var answer = GetZipAsync(gateway);
        await upstream.WaitForRequestCountAsync(info, 1);
        time.Advance(TimeSpan.FromMinutes(1));
        var (status, body) = await answer;

        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Contains("sent nothing for 60 s", body, StringComparison.Ordinal);
        await AssertNothingKeptAsync(gateway);
        await AssertAdmittedOnceOverAsync(upstream, info, gateway);
    }

    /// <summary>
    /// The three files are fetched at once; a missing .info ends the admission without waiting for a zip the upstream
    /// holds (on a clock that never moves, only the .info's failure can stop the zip's fetch).
    /// </summary>
    [Fact]
    public async Task Get_InfoMissingWhileZipHeld_404WithoutWaitingForTheZip()
    {
        await using var upstream = StaticGoProxyServer.Start(Upstream());
        upstream.RespondWithStatus(Artefact("info"), 404, "no such version");
        upstream.HoldUntil(Artefact("zip"), new TaskCompletionSource().Task);
        await using var gateway = await GatewayInstance.StartOnClockAsync(upstream.Url, new FakeTimeProvider(DateTimeOffset.UtcNow));

        var (status, body) = await GetZipAsync(gateway).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.StartsWith($"not found: {ModulePath("info")}: upstream {upstream.Url} answered 404", body, StringComparison.Ordinal);
        await AssertNothingKeptAsync(gateway);
    }

    [Fact]
    public async Task Get_UpstreamRefusesConnections_502NothingRecorded()
    {
        var upstream = StaticGoProxyServer.Start(Upstream());
        var url = upstream.Url;
        await upstream.DisposeAsync();
        await using var gateway = await GatewayInstance.StartAsync(url);

        var (status, body) = await GetZipAsync(gateway);

        Assert.Equal(HttpStatusCode.BadGateway, status);
        // All three artefacts are fetched at once and each is refused; the message names whichever failed first.
        Assert.Contains(
            FetchedTogether,
            extension => body.StartsWith($"upstream error: {ModulePath(extension)}: upstream {url} failed: ", StringComparison.Ordinal));
        await AssertNothingKeptAsync(gateway);
    }

    [Fact]
    public async Task Get_UpstreamDownButVersionsAdmittedBefore_ListAnsweredFromThem()
    {
        var upstream = StaticGoProxyServer.Start(Upstream());
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url);
        Assert.Equal(HttpStatusCode.OK, (await GetZipAsync(gateway)).Status);
        await upstream.DisposeAsync();

        using var list = await gateway.Http.GetAsync(GoProxyLayout.ListRequestPath(Module).TrimStart('/'));

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal($"{Version}\n", await list.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// A PostgreSQL cluster of its own (stopping the shared one would fail every other test), reached through a relay so
    /// the gateway keeps one address while the cluster is stopped and started again on another port.
    /// </summary>
    [Fact]
    public async Task Get_PostgresStoppedMidAdmissionThenStarted_503WhileDownThenAdmittedWithoutRestart()
    {
        var clusterDirectory = TempDirectory.Create("stoppable-postgres");
        var options = new EmbeddedPostgresOptions { Durable = false };
        var cluster = await EmbeddedPostgres.StartAsync(clusterDirectory, options, NullLogger.Instance, CancellationToken.None);
        await using var relay = new TcpRelay(cluster.Port);
        try
        {
            await cluster.CreateDatabaseAsync("audit", CancellationToken.None);
            var connectionString = new NpgsqlConnectionStringBuilder(cluster.ConnectionStringFor("audit")) { Port = relay.Port }.ConnectionString;
            await using var upstream = StaticGoProxyServer.Start(Upstream());
            var release = new TaskCompletionSource();
            upstream.HoldUntil(Artefact("zip"), release.Task);
            await using var gateway = await GatewayInstance.StartAsync(upstream.Url, connectionString: connectionString);

            var admission = GetZipAsync(gateway);
            await upstream.WaitForRequestCountAsync(Artefact("zip"), 1);
            await cluster.DisposeAsync();
            release.SetResult();
            var (duringStatus, duringBody) = await admission;
            using var readyWhileDown = await gateway.Http.GetAsync("readyz");
            var (whileDownStatus, whileDownBody) = await GetZipAsync(gateway);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, duringStatus);
            Assert.StartsWith("unavailable: the audit database cannot be read or written", duringBody, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, whileDownStatus);
            Assert.StartsWith("unavailable: ", whileDownBody, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, readyWhileDown.StatusCode);
            Assert.False(Directory.Exists(CacheOf(gateway)));

            cluster = await EmbeddedPostgres.StartAsync(clusterDirectory, options, NullLogger.Instance, CancellationToken.None);
            relay.TargetPort = cluster.Port;
            var (afterStatus, afterBody) = await GetZipAsync(gateway);

            Assert.True(afterStatus == HttpStatusCode.OK, $"{afterStatus}: {afterBody}");
            Assert.Equal("admitted", Assert.Single(await gateway.DecisionsAsync()).GetProperty("outcome").GetString());
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [TmpfsFact]
    public async Task Get_DataFolderFull_503CannotStoreNothingRecordedThenAdmittedOnceThereIsRoom()
    {
        using var disk = TmpfsMount.Create("1m");
        await using var upstream = StaticGoProxyServer.Start(Upstream(incompressibleBytes: 2 << 20));
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url, dataDirectory: disk.Directory);

        var (status, body) = await GetZipAsync(gateway);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.StartsWith($"unavailable: the gateway cannot store {Module}@{Version} (No space left on device", body, StringComparison.Ordinal);
        await AssertNothingKeptAsync(gateway);

        disk.Remount("size=16m");
        Assert.Equal(HttpStatusCode.OK, (await GetZipAsync(gateway)).Status);
        Assert.Single(await gateway.DecisionsAsync());
    }

    /// <summary>
    /// A running gateway holds files open for writing in its data folder (its staging lock), so the folder cannot be made
    /// read-only under it (remount says "busy"); a folder that is read-only when the gateway starts is what can happen.
    /// </summary>
    [TmpfsFact]
    public async Task Start_DataFolderReadOnly_RefusesToStartSayingWhyThenStartsAndAdmitsOnceWritable()
    {
        using var disk = TmpfsMount.Create("16m");
        disk.Remount("ro");
        await using var upstream = StaticGoProxyServer.Start(Upstream());

        var refused = await Assert.ThrowsAnyAsync<IOException>(() => GatewayInstance.StartAsync(upstream.Url, dataDirectory: disk.Directory));

        Assert.Contains("Read-only file system", refused.Message, StringComparison.Ordinal);
        Assert.Contains(disk.Directory, refused.Message, StringComparison.Ordinal);

        disk.Remount("rw");
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url, dataDirectory: disk.Directory);
        Assert.Equal(HttpStatusCode.OK, (await GetZipAsync(gateway)).Status);
        Assert.Single(await gateway.DecisionsAsync());
    }

    private static string Artefact(string extension) => GoProxyLayout.RequestPath(Module, Version, extension);

    private static readonly string[] FetchedTogether = ["info", "mod", "zip"];

    private static string ModulePath(string extension) => Artefact(extension).TrimStart('/');

    /// <summary>An upstream folder with the module; its zip holds <paramref name="incompressibleBytes"/> of random data besides go.mod.</summary>
    private static string Upstream(int incompressibleBytes = 0)
    {
        var layout = new GoProxyLayout(TempDirectory.Create("faulty-upstream"));
        var noise = new byte[incompressibleBytes];
        Random.Shared.NextBytes(noise);
        layout.AddVersion(Module, Version, $"module {Module}\n",
            GoProxyLayout.ModuleFiles(Module, Version, ("go.mod", $"module {Module}\n"), ("a.go", "package a\n"))
                .Append(($"{Module}@{Version}/noise.bin", noise)),
            DateTimeOffset.UnixEpoch);
        return layout.RootDirectory;
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetZipAsync(GatewayInstance gateway)
    {
        using var response = await gateway.Http.GetAsync(ModulePath("zip"));
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType == "text/plain" ? await response.Content.ReadAsStringAsync() : "");
    }

    private static async Task AssertAdmittedOnceOverAsync(StaticGoProxyServer upstream, string faultyPath, GatewayInstance gateway)
    {
        upstream.ClearOverride(faultyPath);
        Assert.Equal(HttpStatusCode.OK, (await GetZipAsync(gateway)).Status);
        Assert.Equal("admitted", Assert.Single(await gateway.DecisionsAsync()).GetProperty("outcome").GetString());
    }

    private static string CacheOf(GatewayInstance gateway) => Path.Combine(gateway.DataDirectory, "cache", "example.com", "faulty");

    /// <summary>No decision, no cached copy, and nothing staged left behind but this process's lock file.</summary>
    private static async Task AssertNothingKeptAsync(GatewayInstance gateway)
    {
        Assert.Empty(await gateway.DecisionsAsync());
        Assert.False(Directory.Exists(CacheOf(gateway)));
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(gateway.DataDirectory, "tmp"), "*", SearchOption.AllDirectories),
            f => !f.EndsWith(".lock", StringComparison.Ordinal));
    }
}
