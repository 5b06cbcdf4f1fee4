using System.Net;
using System.Security.Cryptography;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Tests.Storage;

namespace SecureGateway.Tests.ScaleOut;

/// <summary>
/// Three gateway processes behind nginx on one PostgreSQL and one S3 bucket (a real Ceph RADOS Gateway), each with its
/// own local data folder for staging: what an enterprise GOPROXY endpoint runs as.
/// </summary>
public sealed class ReplicasTests(CephS3Server server) : IClassFixture<CephS3Server>, IAsyncLifetime, IDisposable
{
    private const int Clients = 64;
    private const string Fleet = "example.com/fleet";
    private static readonly DateTimeOffset LongAgo = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly GoProxyLayout layout = new(TempDirectory.Create("upstream"));
    private readonly string policies = TempDirectory.Create("no-opinion-policies");
    private readonly List<GatewayProcess> replicas = [];
    private StaticGoProxyServer upstream = null!;
    private NginxBalancer balancer = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        for (var minor = 0; minor < 16; minor++)
        {
            var version = $"v1.{minor}.0";
            layout.AddVersion(Fleet, version, $"module {Fleet}\n",
                GoProxyLayout.ModuleFiles(Fleet, version, ("go.mod", $"module {Fleet}\n"), ("fleet.go", $"package fleet // {version}\n"),
                    ("data.txt", Convert.ToBase64String(RandomNumberGenerator.GetBytes(96 << 10)))), LongAgo);
        }

        // A module graph for the go command: top requires mid, mid requires leaf.
        AddGraphModule("example.com/graph-leaf", []);
        AddGraphModule("example.com/graph-mid", ["example.com/graph-leaf"]);
        AddGraphModule("example.com/graph-top", ["example.com/graph-mid"]);
        File.WriteAllText(Path.Combine(policies, "no-opinion.js"), "function rule(facts, config) { return null; }\n");
        upstream = StaticGoProxyServer.Start(layout.RootDirectory);

        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var store = server.GatewayArguments($"replicas-{Guid.NewGuid():N}/");
        Task<GatewayProcess> Start() => GatewayProcess.StartAsync(upstream.Url, TempDirectory.Create("replica-data"), connectionString, policies, store);

        // The first migrates the fresh database; the others start together.
        replicas.Add(await Start());
        replicas.AddRange(await Task.WhenAll(Start(), Start()));
        balancer = await NginxBalancer.StartAsync([.. replicas.Select(r => r.BaseUrl)]);
        http = new HttpClient { BaseAddress = new Uri(balancer.Url + "/"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public void Dispose() => http?.Dispose();

    public async Task DisposeAsync()
    {
        await balancer.DisposeAsync();
        await Task.WhenAll(replicas.Select(r => r.DisposeAsync().AsTask()));
        await upstream.DisposeAsync();
    }

    /// <summary>64 clients ask for the same eight new versions through the balancer at once: one fetch and one decision each.</summary>
    [Fact]
    public async Task SameNewVersionsFromManyClients_OneUpstreamFetchAndOneDecisionPerVersion_GoDownloadsAGraph()
    {
        var versions = Enumerable.Range(0, 8).Select(minor => $"v1.{minor}.0").ToList();

        var failures = await HammerAsync(versions, retries: 0);

        Assert.Empty(failures);
        foreach (var version in versions)
        {
            Assert.Single(await replicas[0].DecisionsAsync($"?module={Fleet}&version={version}"));
            Assert.Equal(1, upstream.RequestCount(GoProxyLayout.RequestPath(Fleet, version, "zip")));
        }

        using var go = GoClient.Fresh(balancer.Url);
        var work = TempDirectory.Create("go-main");
        await File.WriteAllTextAsync(Path.Combine(work, "go.mod"), "module example.com/main\n\ngo 1.16\n\nrequire example.com/graph-top v1.0.0\n");
        var graph = await go.RunAsync(work, new Dictionary<string, string> { ["GOFLAGS"] = "-mod=mod" }, "mod", "download", "-json", "all");
        Assert.True(graph.Succeeded, graph.StandardError);
        foreach (var module in new[] { "example.com/graph-top", "example.com/graph-mid", "example.com/graph-leaf" })
        {
            Assert.Contains($"\"Path\": \"{module}\"", graph.StandardOutput, StringComparison.Ordinal);
            Assert.Equal("admitted", Assert.Single(await replicas[0].DecisionsAsync($"?module={module}")).GetProperty("outcome").GetString());
        }
    }

    /// <summary>
    /// A replica is killed (SIGKILL) in the middle of admitting new versions while 64 clients wait for them through the
    /// balancer: its claims are released with its database session, the survivors fetch and decide each version once,
    /// and every client is served the exact bytes on its request or on a retry.
    /// </summary>
    [Fact]
    public async Task ReplicaKilledMidAdmission_ClaimsReleasedEveryRequestServedOnRetryNothingHalfWritten()
    {
        var versions = Enumerable.Range(8, 8).Select(minor => $"v1.{minor}.0").ToList();
        var victim = replicas[1];
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (var version in versions)
        {
            upstream.HoldUntil(GoProxyLayout.RequestPath(Fleet, version, "zip"), release.Task);
        }

        // The victim claims every version first: its fetches hang on the held upstream while it holds the claims.
        var victimRequests = versions.Select(v => victim.Http.GetAsync(GoProxyLayout.RequestPath(Fleet, v, "zip").TrimStart('/'))).ToList();
        foreach (var version in versions)
        {
            await upstream.WaitForRequestCountAsync(GoProxyLayout.RequestPath(Fleet, version, "zip"), 1);
        }

        var load = HammerAsync(versions, retries: 3);
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        await victim.KillAsync();
        release.SetResult();
        var failures = await load;
        var victimAnswers = await Task.WhenAll(victimRequests.Select(r => Record.ExceptionAsync(() => r)));

        Assert.Empty(failures);
        Assert.All(victimAnswers, e => Assert.IsType<HttpRequestException>(e));
        foreach (var version in versions)
        {
            var path = GoProxyLayout.RequestPath(Fleet, version, "zip");
            Assert.Single(await replicas[0].DecisionsAsync($"?module={Fleet}&version={version}"));
            Assert.True(upstream.RequestCount(path) >= 2, $"{version}: fetched {upstream.RequestCount(path)} times; the survivors never took the claim over");
            foreach (var survivor in new[] { replicas[0], replicas[2] })
            {
                using var zip = await survivor.Http.GetAsync(path.TrimStart('/'));
                Assert.Equal(HttpStatusCode.OK, zip.StatusCode);
                Assert.Equal(await File.ReadAllBytesAsync(layout.FilePath(Fleet, version, "zip")), await zip.Content.ReadAsByteArrayAsync());
            }
        }
    }

    /// <summary>
    /// Every client asks for every version's zip (in its own order) through the balancer; a failed request (refused, cut
    /// off, or not 200) is tried again up to <paramref name="retries"/> times. Returns what was never served exactly.
    /// </summary>
    private async Task<List<string>> HammerAsync(List<string> versions, int retries)
    {
        var expected = versions.ToDictionary(v => v, v => File.ReadAllBytes(layout.FilePath(Fleet, v, "zip")));
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clients = Enumerable.Range(0, Clients).Select(async client =>
        {
            await go.Task;
            var failed = new List<string>();
            foreach (var version in versions.Skip(client % versions.Count).Concat(versions.Take(client % versions.Count)))
            {
                string? problem = null;
                for (var attempt = 0; attempt <= retries; attempt++)
                {
                    problem = await TryZipAsync(version, expected[version]);
                    if (problem is null)
                    {
                        break;
                    }
                }

                if (problem is not null)
                {
                    failed.Add($"client {client} {version}: {problem}");
                }
            }

            return failed;
        }).ToList();
        go.SetResult();
        return [.. (await Task.WhenAll(clients)).SelectMany(f => f)];
    }

    private async Task<string?> TryZipAsync(string version, byte[] expected)
    {
        try
        {
            using var response = await http.GetAsync(GoProxyLayout.RequestPath(Fleet, version, "zip").TrimStart('/'));
            var body = await response.Content.ReadAsByteArrayAsync();
            return response.StatusCode != HttpStatusCode.OK ? $"{(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}"
                : !body.AsSpan().SequenceEqual(expected) ? $"200 with {body.Length} bytes that are not the module's zip"
                : null;
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }

    private void AddGraphModule(string path, string[] requires)
    {
        // No go directive (before 1.17): the graph is not pruned, so the go command walks it to the leaf.
        var goMod = $"module {path}\n" + (requires.Length == 0 ? "" : $"\nrequire (\n{string.Concat(requires.Select(r => $"\t{r} v1.0.0\n"))})\n");
        var package = path[(path.LastIndexOf('/') + 1)..].Replace("-", "", StringComparison.Ordinal);
        layout.AddVersion(path, "v1.0.0", goMod, GoProxyLayout.ModuleFiles(path, "v1.0.0", ("go.mod", goMod), ("x.go", $"package {package}\n")), LongAgo);
    }
}
