using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SecureGateway.Tests.ChecksumDb;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Tests.WebConsole;

/// <summary>The overview raises the alarm when the checksum database forks its history under a running gateway.</summary>
public sealed class ConsoleForkAlarmTests(GoModuleUniverseFixture fixture) : IClassFixture<GoModuleUniverseFixture>, IAsyncLifetime
{
    private StaticGoProxyServer upstream = null!;
    private TestChecksumDatabase sumdb = null!;

    public Task InitializeAsync()
    {
        upstream = StaticGoProxyServer.Start(fixture.Universe.ProxyDirectory);
        sumdb = TestChecksumDatabase.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await sumdb.DisposeAsync();
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task Overview_ForkOpen_ShowsAlarmUntilReset()
    {
        var (older, newer) = (fixture.Universe.Get(GoModuleUniverse.Alpha, "v1.0.0"), fixture.Universe.Get(GoModuleUniverse.Alpha, "v1.1.0"));
        sumdb.AddModule(older.Path, older.Version, older.Sum, older.GoModSum);
        sumdb.AddModule(newer.Path, newer.Version, newer.Sum, newer.GoModSum);
        sumdb.AddFiller(20);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url, extraArguments: [$"--Gateway:SumDb={sumdb.GoSumDb}"]);
        Assert.Equal(HttpStatusCode.OK, await ZipStatusAsync(gateway, older));
        using var browser = ConsoleBrowser.Open(gateway.BaseUrl);
        browser.SignIn(GatewayInstance.AdminToken);
        var beforeFork = browser.Text("#fork-state");
        var alarmsBefore = browser.FindAll("#fork-alarm").Count;

        sumdb.Fork(index: 1);
        var refused = await ZipStatusAsync(gateway, newer);
        browser.Go("/console");
        var alarm = browser.Text("#fork-alarm");
        browser.Screenshot("overview-fork-alarm");
        await gateway.Services.GetRequiredService<TrustedHeads>().RecordResetAsync(sumdb.Name, "test-operator", CancellationToken.None);
        browser.Go("/console");
        var alarmsAfterReset = browser.FindAll("#fork-alarm").Count;

        Assert.Equal("No fork seen.", beforeFork);
        Assert.Equal(0, alarmsBefore);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused);
        Assert.Contains($"Checksum-DB fork on {sumdb.Name}", alarm, StringComparison.Ordinal);
        Assert.Contains("inconsistent with trusted tree", alarm, StringComparison.Ordinal);
        Assert.Contains("sumdb reset-head --confirm", alarm, StringComparison.Ordinal);
        Assert.Equal(0, alarmsAfterReset);
    }

    private static async Task<HttpStatusCode> ZipStatusAsync(GatewayInstance gateway, DownloadedModule module)
    {
        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(module.Path, module.Version, "zip").TrimStart('/'));
        return response.StatusCode;
    }
}
