using System.Net;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Upstream;

namespace SecureGateway.Tests.Upstream;

/// <summary>Credentials in an upstream URL never reach the go user, the decisions or a configuration error.</summary>
public sealed class SecretsTests
{
    private const string Module = "example.com/secretive";
    private const string Secret = "s3cret-token";

    [Theory]
    [InlineData("https://ci:s3cret@proxy.corp/", "https://***@proxy.corp/")]
    [InlineData("https://proxy.corp/", "https://proxy.corp/")]
    [InlineData("http://u@10.0.0.1:8080/go", "http://***@10.0.0.1:8080/go")]
    public void Of_UserInfoReplaced(string url, string shown) => Assert.Equal(shown, RedactedUrl.Of(url));

    [Fact]
    public async Task Get_UpstreamWithCredentialsFails_NeitherTheAnswerNorTheDecisionNamesThem()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        layout.AddVersion(Module, "v1.0.0", $"module {Module}\n",
            GoProxyLayout.ModuleFiles(Module, "v1.0.0", ("go.mod", $"module {Module}\n"), ("a.go", "package a\n")), DateTimeOffset.UnixEpoch);
        layout.AddRawZip(Module, "v1.1.0", $"module {Module}\n", [0x50, 0x4b], DateTimeOffset.UnixEpoch);
        await using var upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        upstream.RespondWithStatus(GoProxyLayout.RequestPath(Module, "v1.0.0", "zip"), 500);
        var withCredentials = upstream.Url.Replace("http://", $"http://ci:{Secret}@", StringComparison.Ordinal);
        await using var gateway = await GatewayInstance.StartAsync(withCredentials);

        using var failed = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, "v1.0.0", "zip").TrimStart('/'));
        using var denied = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, "v1.1.0", "zip").TrimStart('/'));
        var decision = Assert.Single(await gateway.DecisionsAsync());

        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.DoesNotContain(Secret, await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.DoesNotContain(Secret, decision.GetRawText(), StringComparison.Ordinal);
        Assert.StartsWith("http://***@127.0.0.1:", decision.GetProperty("upstream").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_BadUpstreamUrlWithCredentials_ConfigurationErrorWithoutThem()
    {
        var (exit, stdout, stderr) = await GatewayCli.RunAsync("migrate", $"--Gateway:Upstream=gopher://ci:{Secret}@proxy.corp/");

        Assert.Equal(1, exit);
        Assert.Contains("is not an http, https or file URL", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, stdout + stderr, StringComparison.Ordinal);
    }
}
