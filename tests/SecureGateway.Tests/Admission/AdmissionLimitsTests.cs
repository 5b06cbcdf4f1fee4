using System.Net;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Admission;

/// <summary>Anonymous first requests cannot start any number of admissions: past the running and waiting limits, 503 with Retry-After.</summary>
public sealed class AdmissionLimitsTests
{
    private const string Module = "example.com/busy";
    private static readonly string[] Later = ["v1.1.0", "v1.2.0"];

    [Fact]
    public async Task Get_MoreFirstRequestsThanRunningPlusWaiting_503RetryAfterAtOnceTheOthersAdmitted()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        foreach (var version in new[] { "v1.0.0", "v1.1.0", "v1.2.0" })
        {
            layout.AddVersion(Module, version, $"module {Module}\n",
                GoProxyLayout.ModuleFiles(Module, version, ("go.mod", $"module {Module}\n"), ("a.go", "package a\n")), DateTimeOffset.UnixEpoch);
        }

        await using var upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        var release = new TaskCompletionSource();
        upstream.HoldUntil(GoProxyLayout.RequestPath(Module, "v1.0.0", "info"), release.Task);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url, extraArguments: ["--Gateway:MaxAdmissions=1", "--Gateway:MaxQueuedAdmissions=1"]);

        var running = gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, "v1.0.0", "zip").TrimStart('/'));
        await upstream.WaitForRequestCountAsync(GoProxyLayout.RequestPath(Module, "v1.0.0", "info"), 1);
        var others = Later.Select(v => gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, v, "zip").TrimStart('/'))).ToList();

        // One of the two finds a turn waiting; the other finds the queue full and is answered at once.
        using var refused = await await Task.WhenAny(others);
        release.SetResult();
        using var first = await running;
        var answers = await Task.WhenAll(others);
        using var second = answers.Single(r => r != refused);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("5", refused.Headers.RetryAfter?.ToString());
        Assert.StartsWith("unavailable: 1 admissions running and 1 waiting", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, (await gateway.DecisionsAsync()).Count);
    }
}
