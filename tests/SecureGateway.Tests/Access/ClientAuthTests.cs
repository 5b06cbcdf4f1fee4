using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SecureGateway.Admin;
using SecureGateway.Hosting;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Tests.Ledger;

namespace SecureGateway.Tests.Access;

/// <summary>
/// <c>Gateway:ClientAuth=required</c> with the real go command. Go (1.19 here) sends credentials — from .netrc or from
/// GOPROXY's <c>user:password@</c> — only over HTTPS, so the gateway serves TLS with a certificate the client trusts.
/// </summary>
public sealed class ClientAuthTests : IAsyncLifetime
{
    private const string Module = "example.com/authmod";
    private const string Version = "v1.0.0";

    private readonly LoopbackCertificate certificate = LoopbackCertificate.Create();
    private StaticGoProxyServer upstream = null!;
    private GatewayInstance gateway = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        layout.AddVersion(Module, Version, $"module {Module}\n",
            GoProxyLayout.ModuleFiles(Module, Version, ("go.mod", $"module {Module}\n"), ("a.go", "package a\n")), DateTimeOffset.UtcNow.AddDays(-30));
        upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        gateway = await GatewayInstance.StartAsync(upstream.Url, extraArguments: ["--Gateway:ClientAuth=required", .. certificate.KestrelArguments]);
        http = certificate.Client(gateway.BaseUrl);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await gateway.DisposeAsync();
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task Get_NoCredentials_401BasicChallengeWithTextTheGoCommandShows()
    {
        using var response = await http.GetAsync($"{Module}/@v/{Version}.info");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic realm=\"SecureGateway\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("unauthorized: this gateway requires a token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, upstream.TotalRequestCount);
    }

    [Fact]
    public async Task Get_InvalidOrUnderprivilegedToken_401Or403AsText()
    {
        var auditor = await gateway.CreateTokenAsync("auditor-only", Roles.Auditor);

        using var forged = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{Module}/@v/list").WithBasic("x", "sgw_forged"));
        using var wrongRole = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{Module}/@v/list").WithBearer(auditor));

        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal("unauthorized: invalid token\n", await forged.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, wrongRole.StatusCode);
        Assert.Equal("forbidden: token \"auditor-only\" has role auditor; downloads need role client\n", await wrongRole.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GoModDownload_CredentialsInGoproxyUrl_SucceedsAndLedgerNamesTheToken()
    {
        var token = await gateway.CreateTokenAsync("ci-builds", Roles.Client);
        var withCredentials = gateway.BaseUrl.Replace("https://", $"https://build-agent:{token}@", StringComparison.Ordinal);
        using var client = GoClient.Fresh(withCredentials);

        var result = await DownloadAsync(client);

        Assert.True(result.Succeeded, result.Describe());
        var consumer = await SingleConsumerAsync("ci-builds");
        Assert.Contains("mod", consumer.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
        Assert.Contains("zip", consumer.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
        Assert.StartsWith("Go-http-client/", consumer.GetProperty("userAgent").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GoModDownload_CredentialsInNetrc_Succeeds()
    {
        var token = await gateway.CreateTokenAsync("dev-laptop", Roles.Client);
        using var client = GoClient.Fresh(gateway.BaseUrl);
        await File.WriteAllTextAsync(Path.Combine(client.HomeDirectory, ".netrc"), $"machine 127.0.0.1 login alice password {token}\n");

        var result = await DownloadAsync(client);

        Assert.True(result.Succeeded, result.Describe());
        await SingleConsumerAsync("dev-laptop");
    }

    [Fact]
    public async Task GoModDownload_NoCredentials_FailsShowingThe401Reason()
    {
        using var client = GoClient.Fresh(gateway.BaseUrl);

        var result = await DownloadAsync(client);

        Assert.False(result.Succeeded, result.Describe());
        Assert.Contains("401 Unauthorized", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
        Assert.Contains("unauthorized: this gateway requires a token", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UnknownClientAuthValue_ConfigurationError()
    {
        var error = Assert.Throws<InvalidOperationException>(() => GatewayApp.Create([$"--Gateway:DataDir={TempDirectory.Create("bad-config")}", "--Gateway:ClientAuth=maybe"]));

        Assert.Equal("Gateway:ClientAuth must be off or required, not \"maybe\"", error.Message);
    }

    private Task<CommandResult> DownloadAsync(GoClient client) =>
        client.RunAsync(null, new Dictionary<string, string> { ["SSL_CERT_FILE"] = certificate.PemPath }, "mod", "download", "-json", $"{Module}@{Version}");

    /// <summary>The ledger is written a moment after serving: waits for the client's row in /admin/consumers.</summary>
    private async Task<JsonElement> SingleConsumerAsync(string client)
    {
        JsonElement found = default;
        await Eventually.HoldsAsync(async () =>
        {
            var items = await http.ConsumersAsync(Module, Version);
            found = items.FirstOrDefault(i => i.GetProperty("client").GetString() == client);
            return found.ValueKind == JsonValueKind.Object && found.GetProperty("kinds").GetArrayLength() >= 2;
        }, $"the ledger shows {client}");
        return found;
    }
}
