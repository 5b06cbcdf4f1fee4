using System.IO.Compression;
using System.Net;
using System.Text;

namespace SecureGateway.Tests.GoTooling;

/// <summary>The test helpers checked against the real go command, so failures elsewhere are not the tooling's.</summary>
public sealed class GoToolingTests(GoModuleUniverseFixture fixture) : IClassFixture<GoModuleUniverseFixture>
{
    private static readonly DateTimeOffset HandMadeTime = new(2022, 2, 2, 2, 2, 2, TimeSpan.Zero);

    private GoModuleUniverse Universe => fixture.Universe;

    [Fact]
    public void Universe_Build_DownloadsEveryVersionIntoGoProxyLayout()
    {
        Assert.Equal(GoModuleUniverse.Versions.Select(v => (v.Path, v.Version)), Universe.Modules.Select(m => (m.Path, m.Version)));
        Assert.All(Universe.Modules, m =>
        {
            Assert.Null(m.Error);
            Assert.StartsWith("h1:", m.Sum, StringComparison.Ordinal);
            Assert.StartsWith("h1:", m.GoModSum, StringComparison.Ordinal);
            Assert.StartsWith(Universe.ProxyDirectory, m.Zip, StringComparison.Ordinal);
        });
        foreach (var version in GoModuleUniverse.Versions)
        {
            var info = File.ReadAllText(Universe.Get(version.Path, version.Version).Info);
            Assert.Contains($"\"Time\":\"{version.Time.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}\"", info, StringComparison.Ordinal);
        }

        Assert.Equal(["v1.0.0", "v1.1.0"], File.ReadAllLines(Path.Combine(Universe.ProxyDirectory, "example.com/alpha.git/@v/list")));
        Assert.True(File.Exists(Path.Combine(Universe.ProxyDirectory, "example.com/!upper.git/@v/v0.1.0.zip")));
        Assert.Equal("module example.com/nomod.git\n", File.ReadAllText(Universe.Get(GoModuleUniverse.NoGoMod, "v1.0.0").GoMod));
        using var multi = ZipFile.OpenRead(Universe.Get(GoModuleUniverse.Multi, "v1.0.0").Zip);
        Assert.Contains("example.com/multi.git@v1.0.0/internal/util/util.go", multi.Entries.Select(e => e.FullName));
        Assert.DoesNotContain(multi.Entries, e => e.FullName.Contains("/sub/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GoClient_ThroughStaticServerOverUniverse_GetsTheSameSums()
    {
        await using var server = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        using var client = GoClient.Fresh(server.Url);

        var modules = await client.DownloadJsonAsync([.. GoModuleUniverse.Versions.Select(v => v.ToString())]);

        Assert.Equal(
            Universe.Modules.Select(m => (m.Path, m.Version, m.Sum, m.GoModSum, (string?)null)),
            modules.Select(m => (m.Path, m.Version, m.Sum, m.GoModSum, m.Error)));
        Assert.Equal(1, server.RequestCount(GoProxyLayout.RequestPath(GoModuleUniverse.Upper, "v0.1.0", "zip")));
    }

    [Fact]
    public async Task StaticServer_ProxyUrlWithPath_DecodesPercentEncodedBang()
    {
        await using var server = StaticGoProxyServer.Start(Universe.ProxyDirectory, "/some/proxy");
        using var client = GoClient.Fresh(server.Url);

        var upper = Assert.Single(await client.DownloadJsonAsync($"{GoModuleUniverse.Upper}@v0.1.0"));

        Assert.Null(upper.Error);
        Assert.Equal(Universe.Get(GoModuleUniverse.Upper, "v0.1.0").Sum, upper.Sum);
        Assert.Contains("/some/proxy/example.com/%21upper.git/@v/v0.1.0.zip", server.RawRequestTargets);
        Assert.Equal(1, server.RequestCount("/example.com/!upper.git/@v/v0.1.0.zip"));
    }

    [Fact]
    public async Task GoProxyLayout_OrdinaryZip_IsAcceptedByGo()
    {
        using var directory = new TemporaryDirectory();
        var layout = new GoProxyLayout(directory.Path);
        const string GoMod = "module example.com/m\n";
        layout.AddVersion("example.com/m", "v1.0.0", GoMod,
            GoProxyLayout.ModuleFiles("example.com/m", "v1.0.0", ("go.mod", GoMod), ("m.go", "package m\n"), ("sub/s.go", "package sub\n")),
            HandMadeTime);
        layout.AddVersion("example.com/Hand", "v0.0.1", "module example.com/Hand\n",
            GoProxyLayout.ModuleFiles("example.com/Hand", "v0.0.1", ("go.mod", "module example.com/Hand\n"), ("h.go", "package hand\n")),
            HandMadeTime);
        await using var server = StaticGoProxyServer.Start(directory.Path);
        using var client = GoClient.Fresh(server.Url);

        var modules = await client.DownloadJsonAsync("example.com/m@v1.0.0", "example.com/Hand@v0.0.1");

        Assert.All(modules, m => Assert.Null(m.Error));
        Assert.Equal("h1:flS2VctbRrTv+sBE+VKgxx6hlkMGPVz9MGOmzMYFg3k=", modules[0].GoModSum);
        Assert.StartsWith("h1:", modules[0].Sum, StringComparison.Ordinal);
        Assert.Contains("\"Time\":\"2022-02-02T02:02:02Z\"", File.ReadAllText(modules[0].Info), StringComparison.Ordinal);
        Assert.Equal(1, server.RequestCount("/example.com/!hand/@v/v0.0.1.zip"));
    }

    [Fact]
    public async Task GoProxyLayout_ZipWithDotDotEntry_IsRefusedByGo()
    {
        using var directory = new TemporaryDirectory();
        new GoProxyLayout(directory.Path).AddVersion("example.com/m", "v1.0.0", "module example.com/m\n",
            [
                ("example.com/m@v1.0.0/go.mod", Encoding.UTF8.GetBytes("module example.com/m\n")),
                ("example.com/m@v1.0.0/x/../y.go", Encoding.UTF8.GetBytes("package m\n")),
            ],
            HandMadeTime);
        await using var server = StaticGoProxyServer.Start(directory.Path);
        using var client = GoClient.Fresh(server.Url);

        var module = Assert.Single(await client.DownloadJsonAsync("example.com/m@v1.0.0"));

        Assert.NotNull(module.Error);
        Assert.Contains("x/../y.go", module.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaticServer_InjectedStatus_IsReportedByGo()
    {
        await using var server = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        server.RespondWithStatus(GoProxyLayout.RequestPath(GoModuleUniverse.Alpha, "v1.0.0", "zip"), 500);
        server.RespondWithStatus(GoProxyLayout.RequestPath(GoModuleUniverse.Alpha, "v1.1.0", "zip"), 403, "blocked: test policy\n");
        using var client = GoClient.Fresh(server.Url);

        var modules = await client.DownloadJsonAsync($"{GoModuleUniverse.Alpha}@v1.0.0", $"{GoModuleUniverse.Alpha}@v1.1.0");

        Assert.Contains("500 Internal Server Error", modules[0].Error, StringComparison.Ordinal);
        Assert.Contains("403 Forbidden", modules[1].Error, StringComparison.Ordinal);
        Assert.Contains("server response: blocked: test policy", modules[1].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaticServer_TruncatedZip_FailsTheDownload()
    {
        await using var server = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        server.RespondTruncated(GoProxyLayout.RequestPath(GoModuleUniverse.Multi, "v1.0.0", "zip"));
        using var client = GoClient.Fresh(server.Url);

        var module = Assert.Single(await client.DownloadJsonAsync($"{GoModuleUniverse.Multi}@v1.0.0"));

        Assert.NotNull(module.Error);
        Assert.Equal("", module.Sum);
    }

    [Fact]
    public async Task StaticServer_HeldRequests_AreAnsweredTogetherOnRelease()
    {
        await using var server = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        var path = GoProxyLayout.ListRequestPath(GoModuleUniverse.Alpha);
        var release = new TaskCompletionSource();
        server.HoldUntil(path, release.Task);
        using var http = new HttpClient();

        var responses = Enumerable.Range(0, 32).Select(_ => http.GetAsync(new Uri(server.Url + path))).ToList();
        await server.WaitForRequestCountAsync(path, 32);
        Assert.DoesNotContain(responses, r => r.IsCompleted);
        release.SetResult();

        foreach (var response in await Task.WhenAll(responses))
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("v1.0.0\nv1.1.0\n", await response.Content.ReadAsStringAsync());
            }
        }
    }

    [Fact]
    public async Task StaticServer_MissingFile_Answers404WithTextBody()
    {
        await using var server = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(server.Url + "/example.com/nothing/@v/list"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("not found: /example.com/nothing/@v/list\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task StaticServer_AfterDispose_RefusesConnections()
    {
        var server = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        var url = new Uri(server.Url + GoProxyLayout.ListRequestPath(GoModuleUniverse.Alpha));
        using var http = new HttpClient();
        using (var before = await http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await server.DisposeAsync();

        using var fresh = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => fresh.GetAsync(url));
    }

    [Fact]
    public async Task GoClient_CommandOverTimeout_IsKilledAndReported()
    {
        await using var server = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        var path = GoProxyLayout.RequestPath(GoModuleUniverse.Alpha, "v1.0.0", "info");
        server.HoldUntil(path, new TaskCompletionSource().Task);
        using var client = GoClient.Fresh(server.Url);
        client.Timeout = TimeSpan.FromSeconds(2);

        var download = client.DownloadJsonAsync($"{GoModuleUniverse.Alpha}@v1.0.0");

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => download);
        Assert.Contains("go mod download -json", timeout.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.RequestCount(path));
    }
}
