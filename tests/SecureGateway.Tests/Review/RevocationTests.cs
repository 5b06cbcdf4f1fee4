using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Review;

/// <summary>
/// The day a module turns out to be malicious: a revocation on one gateway is enforced by every gateway on the database
/// within a second, names who already pulled it, and moves @latest back; the real go command sees the reason.
/// </summary>
public sealed class RevocationTests : IAsyncLifetime
{
    private const string Victim = "example.com/victim";
    private const string Justification = "malicious init() exfiltrates credentials, INC-4711";
    private static readonly DateTimeOffset LongAgo = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly GoProxyLayout layout = new(TempDirectory.Create("upstream"));
    private StaticGoProxyServer upstream = null!;
    private GatewayInstance a = null!;
    private GatewayInstance b = null!;

    public async Task InitializeAsync()
    {
        foreach (var version in new[] { "v1.0.0", "v1.1.0" })
        {
            layout.AddVersion(Victim, version, $"module {Victim}\n",
                GoProxyLayout.ModuleFiles(Victim, version, ("go.mod", $"module {Victim}\n"), ("victim.go", $"package victim // {version}\n")), LongAgo);
        }

        upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        a = await GatewayInstance.StartAsync(upstream.Url);
        b = await GatewayInstance.StartAsync(upstream.Url, connectionString: a.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await b.DisposeAsync();
        await a.DisposeAsync();
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task GoCommand_RevokedOnA_BothGatewaysRefuseWithinASecondNamingTheReason_LatestMovesBack()
    {
        using (var client = GoClient.Fresh(a.BaseUrl))
        {
            var pulled = Assert.Single(await client.DownloadJsonAsync($"{Victim}@latest"));
            Assert.True(pulled.Succeeded, pulled.Error);
            Assert.Equal("v1.1.0", pulled.Version);
        }

        using (var client = GoClient.Fresh(b.BaseUrl))
        {
            // B has no files of its own: it fetches them again and they must hash to what A admitted.
            Assert.True(Assert.Single(await client.DownloadJsonAsync($"{Victim}@v1.1.0")).Succeeded);
        }

        await Eventually.HoldsAsync(async () => (await ConsumersAsync(a, "v1.1.0")).GetArrayLength() > 0, "the ledger shows the consumer");

        using var revoke = await PostAsync(a, "admin/revoke", new { module = Victim, version = "v1.1.0", justification = Justification });
        var answer = await revoke.Content.ReadFromJsonAsync<JsonElement>();
        await Eventually.HoldsAsync(async () => await RefusedAsync(a) && await RefusedAsync(b), "both gateways refuse the revoked version");

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        var version = Assert.Single(answer.GetProperty("revoked").EnumerateArray());
        Assert.Equal("v1.1.0", version.GetProperty("version").GetString());
        Assert.StartsWith("admitted (decision ", version.GetProperty("was").GetString(), StringComparison.Ordinal);
        Assert.Contains(version.GetProperty("consumers").EnumerateArray(), c => c.GetProperty("client").GetString() == "127.0.0.1");

        var decisionId = version.GetProperty("decisionId").GetInt64();
        foreach (var gateway in new[] { a, b })
        {
            using var client = GoClient.Fresh(gateway.BaseUrl);
            var refused = await client.RunAsync(null, null, "mod", "download", $"{Victim}@v1.1.0");
            var latest = Assert.Single(await client.DownloadJsonAsync($"{Victim}@latest"));

            Assert.False(refused.Succeeded);
            Assert.Contains($"403 Forbidden\n\tserver response: denied: revoked by admin: {Justification} (decision {decisionId})", refused.StandardError, StringComparison.Ordinal);
            Assert.True(latest.Succeeded, latest.Error);
            Assert.Equal("v1.0.0", latest.Version);
            Assert.False(Directory.Exists(VersionDirectory(gateway, "cache", "v1.1.0")));
        }

        Assert.True(Directory.Exists(VersionDirectory(a, "held", "v1.1.0")));
        await Eventually.HoldsAsync(() => Task.FromResult(Directory.Exists(VersionDirectory(b, "held", "v1.1.0"))), "the other gateway holds the revoked files apart");
    }

    [Fact]
    public async Task Revoke_NeverSeenVersion_PreemptiveBlockNothingFetched()
    {
        using var revoke = await PostAsync(a, "admin/revoke", new { module = Victim, version = "v1.0.0", justification = Justification });
        using var refused = await b.Http.GetAsync(GoProxyLayout.RequestPath(Victim, "v1.0.0", "mod").TrimStart('/'));

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal("never seen", (await revoke.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revoked")[0].GetProperty("was").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.StartsWith($"denied: revoked by admin: {Justification} (decision ", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, upstream.RequestCount(GoProxyLayout.RequestPath(Victim, "v1.0.0", "zip")));
    }

    [Fact]
    public async Task Revoke_Range_RefusesEveryVersionInItAndListMovesAccordingly()
    {
        Assert.Equal(HttpStatusCode.OK, await ZipStatusAsync(a, "v1.1.0"));

        using var revoke = await PostAsync(b, "admin/revoke", new { module = Victim, range = "<v1.1.0", justification = Justification });
        var answer = await revoke.Content.ReadFromJsonAsync<JsonElement>();
        await Eventually.HoldsAsync(async () => await ZipStatusAsync(a, "v1.0.0") == HttpStatusCode.Forbidden, "the range revocation is enforced");
        var list = await a.Http.GetStringAsync($"{Victim}/@v/list");

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(["v1.0.0"], answer.GetProperty("revoked").EnumerateArray().Select(v => v.GetProperty("version").GetString()));
        Assert.Equal(HttpStatusCode.OK, await ZipStatusAsync(a, "v1.1.0"));
        Assert.Equal("v1.1.0\n", list);
    }

    [Fact]
    public async Task Revoke_Range_VersionFirstSeenLaterRefusedUntilReconsidered()
    {
        using (var revoke = await PostAsync(a, "admin/revoke", new { module = Victim, range = "<v1.1.0", justification = Justification }))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        // A pre-release nobody listed, published after the revocation: in the range, so refused before anything is fetched.
        layout.AddVersion(Victim, "v1.0.1-rc.1", $"module {Victim}\n",
            GoProxyLayout.ModuleFiles(Victim, "v1.0.1-rc.1", ("go.mod", $"module {Victim}\n"), ("victim.go", "package victim\n")), LongAgo);
        using var refused = await b.Http.GetAsync(GoProxyLayout.RequestPath(Victim, "v1.0.1-rc.1", "zip").TrimStart('/'));
        var refusal = await refused.Content.ReadAsStringAsync();
        using var reconsider = await PostAsync(a, "admin/reconsider", new { module = Victim, version = "v1.0.1-rc.1", justification = "rc.1 built from the audited tree" });
        await Eventually.HoldsAsync(async () => await ZipStatusAsync(b, "v1.0.1-rc.1") == HttpStatusCode.OK, "the other gateway serves the released version");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.StartsWith($"denied: revoked by admin: {Justification} (decision ", refusal, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, reconsider.StatusCode);
        Assert.Equal(1, upstream.RequestCount(GoProxyLayout.RequestPath(Victim, "v1.0.1-rc.1", "zip")));
        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(b, "v1.0.0"));
    }

    [Fact]
    public async Task Revoke_WhileTheVersionIsBeingFetched_DoesNotWaitAndTheAdmissionDoesNotRecordOverIt()
    {
        var zip = GoProxyLayout.RequestPath(Victim, "v1.1.0", "zip");
        var release = new TaskCompletionSource();
        upstream.HoldUntil(zip, release.Task);
        var firstRequest = a.Http.GetAsync(zip.TrimStart('/'));
        await upstream.WaitForRequestCountAsync(zip, 1);

        // The fetch is held until the revocation has answered: a revocation that waited for it would never answer.
        using var revoke = await PostAsync(b, "admin/revoke", new { module = Victim, version = "v1.1.0", justification = Justification }).WaitAsync(Patience);
        release.SetResult();
        using var first = await firstRequest;

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, first.StatusCode);
        Assert.StartsWith($"denied: revoked by admin: {Justification}", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("denied", Assert.Single(await a.DecisionsAsync($"?module={Victim}&version=v1.1.0")).GetProperty("outcome").GetString());
        Assert.False(Directory.Exists(VersionDirectory(a, "cache", "v1.1.0")));
    }

    [Theory]
    [InlineData("""{"module":"example.com/victim","version":"v1.0.0"}""", "justification")]
    [InlineData("""{"module":"example.com/victim","range":"~v1","justification":"x"}""", "bad version constraint")]
    [InlineData("""{"module":"example.com/victim","version":"v1.0.0","range":"<v2.0.0","justification":"x"}""", "exactly one of version or range")]
    [InlineData("""{"module":"example.com/victim","version":"1.0","justification":"x"}""", "version")]
    [InlineData("""{"module":"../etc","version":"v1.0.0","justification":"x"}""", "")]
    public async Task Revoke_BadRequest_400NothingRecorded(string body, string message)
    {
        var request = GatewayInstance.AdminRequest("admin/revoke");
        request.Method = HttpMethod.Post;
        request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await a.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await a.DecisionsAsync());
    }

    [Fact]
    public async Task Reconsider_RevokedVersion_DecidedAfreshOnNextRequestBothRecorded()
    {
        using (await PostAsync(a, "admin/revoke", new { module = Victim, version = "v1.1.0", justification = Justification }))
        {
        }

        using var reconsider = await PostAsync(a, "admin/reconsider", new { module = Victim, version = "v1.1.0", justification = "false alarm: INC-4711 was a test fixture" });
        using var unknown = await PostAsync(a, "admin/reconsider", new { module = Victim, version = "v1.9.0", justification = "x" });
        await Eventually.HoldsAsync(async () => await ZipStatusAsync(b, "v1.1.0") == HttpStatusCode.OK, "the other gateway serves the reinstated version");

        Assert.Equal(HttpStatusCode.OK, reconsider.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var history = await a.DecisionsAsync($"?module={Victim}&version=v1.1.0");
        Assert.Equal(["admitted", "denied", "denied"], history.Select(d => d.GetProperty("outcome").GetString()));
        Assert.Equal("gateway", history[0].GetProperty("actor").GetString());
        Assert.StartsWith("reconsideration requested by admin: false alarm", history[1].GetProperty("reasons")[0].GetString(), StringComparison.Ordinal);
    }

    private static async Task<bool> RefusedAsync(GatewayInstance gateway)
    {
        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Victim, "v1.1.0", "zip").TrimStart('/'));
        return response.StatusCode == HttpStatusCode.Forbidden
            && (await response.Content.ReadAsStringAsync()).StartsWith($"denied: revoked by admin: {Justification}", StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> ZipStatusAsync(GatewayInstance gateway, string version)
    {
        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Victim, version, "zip").TrimStart('/'));
        return response.StatusCode;
    }

    private static async Task<JsonElement> ConsumersAsync(GatewayInstance gateway, string version)
    {
        using var response = await gateway.Http.SendAsync(GatewayInstance.AdminRequest($"admin/consumers?module={Victim}&version={version}"));
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items");
    }

    private static Task<HttpResponseMessage> PostAsync(GatewayInstance gateway, string path, object body)
    {
        var request = GatewayInstance.AdminRequest(path);
        request.Method = HttpMethod.Post;
        request.Content = JsonContent.Create(body);
        return gateway.Http.SendAsync(request);
    }

    private static string VersionDirectory(GatewayInstance gateway, string store, string version) =>
        Path.Combine(gateway.DataDirectory, store, "example.com", "victim", "@v", version);

    /// <summary>
    /// How long a test waits for what the gateway does at once (NOTIFY between processes) before calling it lost: generous,
    /// so a loaded machine does not fail it; how fast it is belongs in the benchmark.
    /// </summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
}
