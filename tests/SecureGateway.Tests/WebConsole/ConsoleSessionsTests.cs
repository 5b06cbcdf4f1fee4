using System.Net;
using System.Text.RegularExpressions;
using SecureGateway.Tests.Access;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.WebConsole;

namespace SecureGateway.Tests.WebConsole;

public sealed partial class ConsoleSessionsTests
{
    /// <summary>After sign-in the browser goes back only to a console page of this gateway: never to another site.</summary>
    [Theory]
    [InlineData("/console/quarantine?rule=licence", "/console/quarantine?rule=licence")]
    [InlineData("/console", "/console")]
    [InlineData(null, "/console")]
    [InlineData("", "/console")]
    [InlineData("https://evil.example/console", "/console")]
    [InlineData("//evil.example/console", "/console")]
    [InlineData("/\\evil.example", "/console")]
    [InlineData("/console\\..\\..\\evil", "/console")]
    [InlineData("/admin/decisions", "/console")]
    [InlineData("javascript:alert(1)", "/console")]
    public void SafeReturnUrl_OnlyConsolePathsOfThisSite(string? asked, string expected) =>
        Assert.Equal(expected, ConsoleSessions.SafeReturnUrl(asked));

    /// <summary>Over HTTPS the session and antiforgery cookies are also <c>Secure</c>: never sent over plain HTTP.</summary>
    [Fact]
    public async Task SignIn_OverHttps_CookiesSecureHttpOnlyStrict()
    {
        var certificate = LoopbackCertificate.Create();
        await using var upstream = StaticGoProxyServer.Start(new GoProxyLayout(TempDirectory.Create("upstream")).RootDirectory);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url, extraArguments: certificate.KestrelArguments);
        using var http = new HttpClient(new HttpClientHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint,
        }) { BaseAddress = new Uri(gateway.BaseUrl + "/") };

        var (csrfCookie, session, status) = await SignInAsync(http, GatewayInstance.AdminToken);

        Assert.Equal(HttpStatusCode.Found, status);
        foreach (var cookie in new[] { csrfCookie, session })
        {
            var attributes = cookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
            Assert.Contains("secure", attributes);
            Assert.Contains("httponly", attributes);
            Assert.Contains("samesite=strict", attributes);
            Assert.Contains("path=/console", attributes);
        }
    }

    /// <summary>A session signed in on one replica is valid on another: the keys protecting it are in the shared database.</summary>
    [Fact]
    public async Task SessionFromOneReplica_ValidOnAnother()
    {
        await using var upstream = StaticGoProxyServer.Start(new GoProxyLayout(TempDirectory.Create("upstream")).RootDirectory);
        await using var first = await GatewayInstance.StartAsync(upstream.Url);
        await using var second = await GatewayInstance.StartAsync(upstream.Url, connectionString: first.ConnectionString);
        using var toFirst = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(first.BaseUrl + "/") };
        using var toSecond = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(second.BaseUrl + "/") };

        var (_, session, _) = await SignInAsync(toFirst, GatewayInstance.AdminToken);
        using var page = new HttpRequestMessage(HttpMethod.Get, "console/quarantine");
        page.Headers.Add("Cookie", session.Split(';')[0]);
        using var onSecond = await toSecond.SendAsync(page);

        Assert.Equal(HttpStatusCode.OK, onSecond.StatusCode);
        Assert.Contains("Signed in as", await onSecond.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Signs in by hand: the antiforgery cookie, the session cookie and the answer's status.</summary>
    private static async Task<(string Csrf, string Session, HttpStatusCode Status)> SignInAsync(HttpClient http, string token)
    {
        using var form = await http.GetAsync("console/signin");
        var csrfCookie = Assert.Single(form.Headers.GetValues("Set-Cookie"));
        var formToken = FormToken().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
        using var signIn = new HttpRequestMessage(HttpMethod.Post, "console/signin")
        {
            Content = new FormUrlEncodedContent([new("token", token), new("__RequestVerificationToken", formToken)]),
        };
        signIn.Headers.Add("Cookie", csrfCookie.Split(';')[0]);
        using var signedIn = await http.SendAsync(signIn);
        var session = Assert.Single(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sgw-console=", StringComparison.Ordinal));
        return (csrfCookie, session, signedIn.StatusCode);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();
}
