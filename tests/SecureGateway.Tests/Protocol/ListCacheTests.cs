using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SecureGateway.Policy;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Protocol;

/// <summary>
/// @v/list and @latest through a gateway with a warm list cache, and the HTTP caching headers of every answer: whatever
/// is cached, the current decision filters each answer, so a revocation is seen at once.
/// </summary>
public sealed class ListCacheTests : IAsyncLifetime
{
    private const string Module = "example.com/listed";
    private static readonly DateTimeOffset LongAgo = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string ListPath = GoProxyLayout.ListRequestPath(Module);

    private readonly GoProxyLayout layout = new(TempDirectory.Create("upstream"));
    private StaticGoProxyServer upstream = null!;
    private GatewayInstance gateway = null!;

    public async Task InitializeAsync()
    {
        foreach (var version in new[] { "v1.0.0", "v1.1.0" })
        {
            layout.AddVersion(Module, version, $"module {Module}\n",
                GoProxyLayout.ModuleFiles(Module, version, ("go.mod", $"module {Module}\n"), ("listed.go", $"package listed // {version}\n")), LongAgo);
        }

        await File.WriteAllTextAsync(Path.Combine(layout.RootDirectory, Module, "@latest"), """{"Version":"v1.1.0","Time":"2020-01-01T00:00:00Z"}""");
        upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        gateway = await GatewayInstance.StartAsync(upstream.Url);
    }

    public async Task DisposeAsync()
    {
        await gateway.DisposeAsync();
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task List_ConcurrentRequests_OneUpstreamRequest()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        upstream.HoldUntil(ListPath, release.Task);

        var lists = Enumerable.Range(0, 16).Select(_ => gateway.Http.GetStringAsync(ListPath.TrimStart('/'))).ToList();
        await upstream.WaitForRequestCountAsync(ListPath, 1);
        release.SetResult();

        Assert.All(await Task.WhenAll(lists), list => Assert.Equal("v1.0.0\nv1.1.0\n", list));
        Assert.Equal(1, upstream.RequestCount(ListPath));
    }

    [Fact]
    public async Task ListAndLatest_WithinCacheTime_NoFurtherUpstreamRequest_PrivateMaxAge()
    {
        using var first = await gateway.Http.GetAsync(ListPath.TrimStart('/'));
        using var second = await gateway.Http.GetAsync(ListPath.TrimStart('/'));
        await gateway.Http.GetAsync($"{Module}/@latest");
        using var latest = await gateway.Http.GetAsync($"{Module}/@latest");

        Assert.Equal("v1.0.0\nv1.1.0\n", await second.Content.ReadAsStringAsync());
        Assert.Equal("private, max-age=60", CacheControl(second));
        Assert.Equal("private, max-age=60", CacheControl(latest));
        Assert.Equal("v1.1.0", (await latest.Content.ReadFromJsonAsync<VersionInfo>())!.Version);
        Assert.Equal(1, upstream.RequestCount(ListPath));
        Assert.Equal(1, upstream.RequestCount($"/{Module}/@latest"));
    }

    [Fact]
    public async Task List_UpstreamDownAfterCaching_AnsweredFromTheCachedList()
    {
        // On a clock the test moves: with a 1 ms cache time on the wall clock, a fast second request could still find
        // the answer fresh (and start no refresh), which a loaded CI machine once did.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var quick = await GatewayInstance.StartOnClockAsync(upstream.Url, time, "--Gateway:ListCacheTime=00:01:00");
        Assert.Equal("v1.0.0\nv1.1.0\n", await quick.Http.GetStringAsync(ListPath.TrimStart('/')));
        upstream.RespondWithStatus(ListPath, 502);
        time.Advance(TimeSpan.FromMinutes(2));

        // Nothing of the module is admitted: the versions can only come from the cached upstream answer.
        using var stale = await quick.Http.GetAsync(ListPath.TrimStart('/'));
        await upstream.WaitForRequestCountAsync(ListPath, 2);
        using var afterFailedRefresh = await quick.Http.GetAsync(ListPath.TrimStart('/'));

        Assert.Equal("v1.0.0\nv1.1.0\n", await stale.Content.ReadAsStringAsync());
        Assert.Equal("v1.0.0\nv1.1.0\n", await afterFailedRefresh.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ListAndLatest_RevokedAfterCaching_GoneAtOnce()
    {
        Assert.Equal("v1.0.0\nv1.1.0\n", await gateway.Http.GetStringAsync(ListPath.TrimStart('/')));
        Assert.Equal("v1.1.0", (await gateway.Http.GetFromJsonAsync<VersionInfo>($"{Module}/@latest"))!.Version);

        await RevokeAsync("v1.1.0");

        Assert.Equal("v1.0.0\n", await gateway.Http.GetStringAsync(ListPath.TrimStart('/')));
        Assert.Equal("v1.0.0", (await gateway.Http.GetFromJsonAsync<VersionInfo>($"{Module}/@latest"))!.Version);
        Assert.Equal(1, upstream.RequestCount(ListPath));
    }

    [Fact]
    public async Task List_DenylistedAfterAnswered_GoneWithTheNewBundle()
    {
        var policies = TempDirectory.Create("policies");
        File.WriteAllText(Path.Combine(policies, "no-opinion.js"), "function rule(facts, config) { return null; }\n");
        await using var gatewayWithPolicies = await GatewayInstance.StartAsync(upstream.Url, extraArguments: $"--Gateway:PolicyDir={policies}");
        Assert.Equal("v1.0.0\nv1.1.0\n", await gatewayWithPolicies.Http.GetStringAsync(ListPath.TrimStart('/')));

        File.WriteAllText(Path.Combine(policies, "denylist.txt"), $"{Module} =v1.1.0\n");
        await gatewayWithPolicies.Services.GetRequiredService<LivePolicy>().ReloadAsync(CancellationToken.None);

        Assert.Equal("v1.0.0\n", await gatewayWithPolicies.Http.GetStringAsync(ListPath.TrimStart('/')));
        Assert.Equal(1, upstream.RequestCount(ListPath));
    }

    [Fact]
    public async Task List_RefusalLapses_VersionListedAgainWithNothingElseChanged()
    {
        const string module = "example.com/lapsing";
        var lapsing = new GoProxyLayout(TempDirectory.Create("upstream"));
        lapsing.AddVersion(module, "v1.0.0", $"module {module}\n", GoProxyLayout.ModuleFiles(module, "v1.0.0", ("go.mod", $"module {module}\n")), LongAgo);
        lapsing.AddRawZip(module, "v1.1.0", $"module {module}\n", "not a zip"u8.ToArray(), LongAgo);
        await using var lapsingUpstream = StaticGoProxyServer.Start(lapsing.RootDirectory);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cooldown = TimeSpan.FromHours(1);
        await using var onClock = await GatewayInstance.StartOnClockAsync(
            lapsingUpstream.Url, time, $"--Gateway:RefusalCooldown={cooldown}", "--Gateway:ListCacheTime=1.00:00:00");
        var listPath = GoProxyLayout.ListRequestPath(module).TrimStart('/');

        Assert.Equal("v1.0.0\nv1.1.0\n", await onClock.Http.GetStringAsync(listPath));
        using (var refused = await onClock.Http.GetAsync(GoProxyLayout.RequestPath(module, "v1.1.0", "info").TrimStart('/')))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var whileRefused = await onClock.Http.GetStringAsync(listPath);
        time.Advance(cooldown / 2);
        var halfway = await onClock.Http.GetStringAsync(listPath);
        time.Advance(cooldown);
        var lapsed = await onClock.Http.GetStringAsync(listPath);

        Assert.Equal("v1.0.0\n", whileRefused);
        Assert.Equal("v1.0.0\n", halfway);
        Assert.Equal("v1.0.0\nv1.1.0\n", lapsed);
        Assert.Equal(1, lapsingUpstream.RequestCount(GoProxyLayout.ListRequestPath(module)));
    }

    [Theory]
    [InlineData("zip")]
    [InlineData("mod")]
    [InlineData("info")]
    public async Task Artefact_IfNoneMatch_NotModifiedWhileAdmitted_RefusedAfterRevocation(string extension)
    {
        using var served = await gateway.Http.GetAsync(ArtefactPath(extension));
        var entityTag = served.Headers.ETag;
        using var notModified = await SendAsync(HttpMethod.Get, ArtefactPath(extension), request => request.Headers.IfNoneMatch.Add(entityTag!));
        await RevokeAsync("v1.1.0");
        using var refused = await SendAsync(HttpMethod.Get, ArtefactPath(extension), request => request.Headers.IfNoneMatch.Add(entityTag!));

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.NotNull(entityTag);
        Assert.Equal("private, max-age=86400, immutable", CacheControl(served));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(entityTag, notModified.Headers.ETag);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.StartsWith("denied: revoked by admin: ", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("no-store", CacheControl(refused));
        Assert.Null(refused.Headers.ETag);
    }

    [Fact]
    public async Task Zip_ETag_IsTheRecordedZipHash()
    {
        using var served = await gateway.Http.GetAsync(ArtefactPath("zip"));
        var decision = (await gateway.DecisionsAsync()).Single(d => d.GetProperty("version").GetString() == "v1.1.0");

        Assert.Equal($"\"{decision.GetProperty("zipHash").GetString()}\"", served.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task Zip_Range_PartialContentWithTheRightBytes()
    {
        var whole = await File.ReadAllBytesAsync(layout.FilePath(Module, "v1.1.0", "zip"));
        await gateway.Http.GetAsync(ArtefactPath("zip"));

        using var partial = await SendAsync(HttpMethod.Get, ArtefactPath("zip"), request => request.Headers.Range = new RangeHeaderValue(10, 29));

        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(whole[10..30], await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal(whole.Length, partial.Content.Headers.ContentRange?.Length);
    }

    [Fact]
    public async Task Zip_Head_HeadersWithoutBody()
    {
        var whole = await File.ReadAllBytesAsync(layout.FilePath(Module, "v1.1.0", "zip"));
        await gateway.Http.GetAsync(ArtefactPath("zip"));

        using var head = await SendAsync(HttpMethod.Head, ArtefactPath("zip"), _ => { });

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(whole.Length, head.Content.Headers.ContentLength);
        Assert.NotNull(head.Headers.ETag);
        Assert.Equal("bytes", head.Headers.AcceptRanges.Single());
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    /// <summary>As sent: HttpClient's parsed header reorders the directives.</summary>
    private static string CacheControl(HttpResponseMessage response) => response.Headers.NonValidated["Cache-Control"].ToString();

    private static string ArtefactPath(string extension) => GoProxyLayout.RequestPath(Module, "v1.1.0", extension).TrimStart('/');

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, Action<HttpRequestMessage> configure)
    {
        using var request = new HttpRequestMessage(method, path);
        configure(request);
        return await gateway.Http.SendAsync(request);
    }

    private async Task RevokeAsync(string version)
    {
        using var request = GatewayInstance.AdminRequest("admin/revoke");
        request.Method = HttpMethod.Post;
        request.Content = JsonContent.Create(new { module = Module, version, justification = "found malicious" });
        using var revoked = await gateway.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
    }

    private sealed record VersionInfo(string Version);
}
