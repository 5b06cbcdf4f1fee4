using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Tests.Ledger;

namespace SecureGateway.Tests.Upstream;

public sealed class UpstreamTests
{
    private const string Public = "example.com/public";
    private const string Private = "corp.example.com/team/lib";

    [Fact]
    public async Task Get_ModuleMatchingUpstreamPattern_FetchedFromThatUpstreamOnly()
    {
        var publicLayout = Layout(Public);
        var privateLayout = Layout(Private);
        await using var publicProxy = StaticGoProxyServer.Start(publicLayout.RootDirectory);
        await using var privateProxy = StaticGoProxyServer.Start(privateLayout.RootDirectory);
        await using var gateway = await GatewayInstance.StartAsync(publicProxy.Url, extraArguments:
        [
            "--Gateway:Upstreams:0:Modules=corp.example.com,*.internal",
            $"--Gateway:Upstreams:0:Url={privateProxy.Url}",
        ]);

        using var privateModule = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Private, "v1.0.0", "mod").TrimStart('/'));
        using var publicModule = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Public, "v1.0.0", "mod").TrimStart('/'));

        Assert.Equal(HttpStatusCode.OK, privateModule.StatusCode);
        Assert.Equal(HttpStatusCode.OK, publicModule.StatusCode);
        Assert.All(privateProxy.RequestPaths, p => Assert.StartsWith($"/{Private}/", p, StringComparison.Ordinal));
        Assert.All(publicProxy.RequestPaths, p => Assert.StartsWith($"/{Public}/", p, StringComparison.Ordinal));
        var decision = Assert.Single(await gateway.DecisionsAsync($"?module={Private}"));
        Assert.Equal(privateProxy.Url, decision.GetProperty("upstream").GetString());
    }

    [Fact]
    public async Task Get_UpstreamSilentLongerThanTimeout_Returns504AndRecordsNothing()
    {
        var layout = Layout(Public);
        var zip = GoProxyLayout.RequestPath(Public, "v1.0.0", "zip");
        await using var upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        upstream.HoldUntil(zip, new TaskCompletionSource().Task);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayInstance.StartOnClockAsync(upstream.Url, time, "--Gateway:UpstreamTimeout=00:01:00");

        var answer = gateway.Http.GetAsync(zip.TrimStart('/'));
        await Eventually.HoldsAsync(() => Task.FromResult(upstream.RequestPaths.Contains(zip)), "the gateway asks upstream for the zip");
        time.Advance(TimeSpan.FromMinutes(1));
        using var response = await answer;

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.StartsWith("upstream timeout: ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await gateway.DecisionsAsync());
    }

    [Fact]
    public async Task Get_UpstreamDripsABytePerFewHundredMilliseconds_504AtTheDeadlineRecordsNothing()
    {
        var layout = Layout(Public);
        var zip = GoProxyLayout.RequestPath(Public, "v1.0.0", "zip");
        var dripping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var drip = await Facts.LoopbackHttpServer.StartAsync(async context =>
        {
            var file = Path.Combine(layout.RootDirectory, context.Request.Path.Value!.TrimStart('/'));
            if (context.Request.Path.Value != zip)
            {
                await context.Response.SendFileAsync(file);
                return;
            }

            // Never done: only an overall deadline ends it (the idle timeout here is longer than the deadline).
            context.Response.ContentLength = 1 << 20;
            for (var i = 0; i < 1 << 20 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync(new byte[1], context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                dripping.TrySetResult();
                await Task.Delay(200, context.RequestAborted);
            }
        });
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayInstance.StartOnClockAsync(drip.Url, time, "--Gateway:UpstreamTimeout=00:10:00", "--Gateway:UpstreamDeadline=00:03:00");

        var answer = gateway.Http.GetAsync(zip.TrimStart('/'));
        await dripping.Task;
        time.Advance(TimeSpan.FromMinutes(3));
        using var response = await answer;

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("took longer than 00:03:00 (Gateway:UpstreamDeadline)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await gateway.DecisionsAsync());
    }

    [Fact]
    public async Task Head_AdmittedZip_HeadersWithoutBody()
    {
        var layout = Layout(Public);
        await using var upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url);
        var zipPath = GoProxyLayout.RequestPath(Public, "v1.0.0", "zip").TrimStart('/');

        using var head = await gateway.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, zipPath));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("application/zip", head.Content.Headers.ContentType?.MediaType);
        Assert.Equal(new FileInfo(layout.FilePath(Public, "v1.0.0", "zip")).Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetList_UpstreamDown_AnsweredFromCache()
    {
        var layout = Layout(Public);
        var upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url);
        using (var admitted = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Public, "v1.0.0", "info").TrimStart('/')))
        {
            admitted.EnsureSuccessStatusCode();
        }

        await upstream.DisposeAsync();
        var list = await gateway.Http.GetStringAsync(GoProxyLayout.ListRequestPath(Public).TrimStart('/'));
        using var latest = await gateway.Http.GetAsync($"{Public}/@latest");

        Assert.Equal("v1.0.0\n", list);
        Assert.Equal(HttpStatusCode.OK, latest.StatusCode);
        Assert.Contains("\"Version\":\"v1.0.0\"", (await latest.Content.ReadAsStringAsync()).Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    private static GoProxyLayout Layout(string module)
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        layout.AddVersion(module, "v1.0.0", $"module {module}\n",
            GoProxyLayout.ModuleFiles(module, "v1.0.0", ("go.mod", $"module {module}\n"), ("lib.go", "package lib\n")), DateTimeOffset.UtcNow);
        return layout;
    }
}
