using System.Diagnostics;
using System.Net;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Review;

/// <summary>
/// Several gateway processes on one audit database, as behind a load balancer: a version is admitted once across all of
/// them, all serve the same bytes, and a revocation on one is enforced by every other within a second. With separate
/// data folders each process fetches the admitted bytes itself; with one shared folder they also share the files.
/// </summary>
public sealed class MultiProcessTests : IAsyncLifetime
{
    private const string Module = "example.com/multi";
    private const string RevokedRange = "<v1.3.0";
    private static readonly DateTimeOffset LongAgo = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Versions = ["v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0"];
    private static readonly string[] Revoked = ["v1.0.0", "v1.1.0", "v1.2.0"];

    private readonly GoProxyLayout layout = new(TempDirectory.Create("upstream"));
    private readonly string policies = TempDirectory.Create("no-opinion-policies");
    private readonly List<GatewayProcess> gateways = [];
    private StaticGoProxyServer upstream = null!;

    public Task InitializeAsync()
    {
        foreach (var version in Versions)
        {
            layout.AddVersion(Module, version, $"module {Module}\n",
                GoProxyLayout.ModuleFiles(Module, version, ("go.mod", $"module {Module}\n"), ("multi.go", $"package multi // {version}\n")), LongAgo);
        }

        File.WriteAllText(Path.Combine(policies, "no-opinion.js"), "function rule(facts, config) { return null; }\n");
        upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(gateways.Select(g => g.DisposeAsync().AsTask()));
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task ThreeProcessesSeparateFolders_SameFirstRequestsAtOnce_AdmittedOnceSameBytesRevocationEnforcedByAllWithinASecond()
    {
        await StartAsync(3, sharedFolder: false);

        await AssertAdmittedOnceServedAlikeAsync(fetchesPerVersion: gateways.Count);
        await AssertRevocationEnforcedEverywhereAsync();

        foreach (var gateway in gateways)
        {
            await AssertFilesHeldAsync(gateway.DataDirectory);
        }
    }

    [Fact]
    public async Task TwoProcessesOneSharedFolder_SameFirstRequestsAtOnce_AdmittedOnceSameBytesRevokedFilesEndInHeld()
    {
        await StartAsync(2, sharedFolder: true);

        await AssertAdmittedOnceServedAlikeAsync(fetchesPerVersion: 1);
        await AssertRevocationEnforcedEverywhereAsync();

        await AssertFilesHeldAsync(gateways[0].DataDirectory);
        foreach (var gateway in gateways)
        {
            // Nothing left for a repair to do: the processes did not undo each other's moves.
            using var doctor = await gateway.Http.SendAsync(GatewayProcess.AdminRequest(HttpMethod.Get, "admin/doctor"));
            var report = await doctor.Content.ReadAsStringAsync();
            Assert.True(doctor.IsSuccessStatusCode, report);
            Assert.Contains("\"moved\":[]", report, StringComparison.Ordinal);
        }
    }

    /// <summary>The first starts alone (it migrates the fresh database), the others together.</summary>
    private async Task StartAsync(int count, bool sharedFolder)
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var shared = TempDirectory.Create("gateway-data");
        Task<GatewayProcess> Start() =>
            GatewayProcess.StartAsync(upstream.Url, sharedFolder ? shared : TempDirectory.Create("gateway-data"), connectionString, policies);

        gateways.Add(await Start());
        gateways.AddRange(await Task.WhenAll(Enumerable.Range(1, count - 1).Select(_ => Start())));
    }

    /// <summary>
    /// Every process gets the first request for every version at the same moment: one decision per version is recorded,
    /// every answer is upstream's zip, and upstream was asked once per process that needed the bytes.
    /// </summary>
    private async Task AssertAdmittedOnceServedAlikeAsync(int fetchesPerVersion)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = (from version in Versions from gateway in gateways select (version, gateway, answer: ZipAsync(gateway, version, go.Task))).ToList();
        go.SetResult();
        await Task.WhenAll(requests.Select(r => r.answer));

        foreach (var (version, gateway, answer) in requests)
        {
            var (status, body) = await answer;
            Assert.True(status == HttpStatusCode.OK, $"{gateway.BaseUrl} {version}: {(int)status} {System.Text.Encoding.UTF8.GetString(body)}");
            Assert.Equal(File.ReadAllBytes(layout.FilePath(Module, version, "zip")), body);
        }

        foreach (var version in Versions)
        {
            var decisions = await gateways[0].DecisionsAsync($"?module={Module}&version={version}");
            Assert.Equal("admitted", Assert.Single(decisions).GetProperty("outcome").GetString());
            Assert.Equal(fetchesPerVersion, upstream.RequestCount(GoProxyLayout.RequestPath(Module, version, "zip")));
        }
    }

    /// <summary>
    /// Revoked on the first process, refused with the reason by every process (at once, by NOTIFY; waited for generously,
    /// as how fast belongs in the benchmark); the version outside the range is still served.
    /// </summary>
    private async Task AssertRevocationEnforcedEverywhereAsync()
    {
        using var revoke = await gateways[0].PostAdminAsync("admin/revoke", new { module = Module, range = RevokedRange, justification = "multi-process test" });
        var revoked = Stopwatch.StartNew();
        Assert.True(revoke.IsSuccessStatusCode, await revoke.Content.ReadAsStringAsync());

        var pending = (from gateway in gateways from version in Revoked select (gateway, version)).ToList();
        while (pending.Count > 0)
        {
            var refused = await Task.WhenAll(pending.Select(async p => (p, refused: await RefusedAsRevokedAsync(p.gateway, p.version))));
            pending = [.. refused.Where(r => !r.refused).Select(r => r.p)];
            Assert.True(pending.Count == 0 || revoked.Elapsed < TimeSpan.FromSeconds(30),
                $"still served {revoked.Elapsed} after the revocation: {string.Join(", ", pending.Select(p => $"{p.version} by {p.gateway.BaseUrl}"))}");
            if (pending.Count > 0)
            {
                await Task.Delay(20);
            }
        }

        foreach (var gateway in gateways)
        {
            Assert.Equal(HttpStatusCode.OK, (await ZipAsync(gateway, "v1.3.0", Task.CompletedTask)).Status);
        }
    }

    /// <summary>
    /// The revoked versions' files are moved to held/ by whichever process hears the decision (the revoking one at once,
    /// the others from the decision feed): once the moves are done, the layout must be exact.
    /// </summary>
    private static async Task AssertFilesHeldAsync(string dataDirectory)
    {
        string VersionDirectory(string store, string version) => Path.Combine(dataDirectory, store, Module, "@v", version);
        bool Settled() => Revoked.All(v => Directory.Exists(VersionDirectory("held", v)) && !Directory.Exists(VersionDirectory("cache", v)));

        await Eventually.HoldsAsync(() => Task.FromResult(Settled()), $"the revoked versions' files are in held/ of {dataDirectory}");

        foreach (var version in Revoked)
        {
            Assert.False(Directory.Exists(VersionDirectory("cache", version)), $"{version} still in cache/ of {dataDirectory}");
            Assert.True(File.Exists(Path.Combine(VersionDirectory("held", version), "zip")), $"{version} not in held/ of {dataDirectory}");
        }

        Assert.True(File.Exists(Path.Combine(VersionDirectory("cache", "v1.3.0"), "zip")));
    }

    private static async Task<bool> RefusedAsRevokedAsync(GatewayProcess gateway, string version)
    {
        var (status, body) = await ZipAsync(gateway, version, Task.CompletedTask);
        return status == HttpStatusCode.Forbidden && System.Text.Encoding.UTF8.GetString(body).StartsWith("denied: revoked by admin:", StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, byte[] Body)> ZipAsync(GatewayProcess gateway, string version, Task go)
    {
        await go;
        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, version, "zip").TrimStart('/'));
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }
}
