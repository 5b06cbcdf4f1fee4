using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenQA.Selenium;
using SecureGateway.Access;
using SecureGateway.Audit;
using SecureGateway.Data.Decisions;
using SecureGateway.Ledger;
using SecureGateway.Tests.Access;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.WebConsole;

/// <summary>
/// The review console in a real browser (headless Debian chromium through Selenium WebDriver) on a real gateway with the
/// default policies: a version without a licence file is quarantined, one with the Apache licence admitted.
/// </summary>
public sealed class ConsoleTests : IAsyncLifetime
{
    private const string Unlicensed = "example.com/unlicensed";
    private const string Other = "example.com/other";
    private const string Licensed = "example.com/licensed";
    private const string Version = "v1.0.0";
    private static readonly DateTimeOffset LongAgo = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly GoProxyLayout layout = new(TempDirectory.Create("upstream"));
    private readonly string policies = Repository.CopyOfPolicies();
    private StaticGoProxyServer upstream = null!;
    private GatewayInstance gateway = null!;
    private string reviewer = null!;
    private string auditor = null!;

    public async Task InitializeAsync()
    {
        foreach (var module in new[] { Unlicensed, Other })
        {
            layout.AddVersion(module, Version, $"module {module}\n",
                GoProxyLayout.ModuleFiles(module, Version, ("go.mod", $"module {module}\n"), ("a.go", "package a\n")), LongAgo);
        }

        layout.AddVersion(Licensed, Version, $"module {Licensed}\n",
            GoProxyLayout.ModuleFiles(Licensed, Version, ("go.mod", $"module {Licensed}\n"), ("a.go", "package a\n"),
                ("LICENSE", File.ReadAllText("/usr/share/common-licenses/Apache-2.0"))), LongAgo);
        upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        gateway = await GatewayInstance.StartAsync(upstream.Url, extraArguments: [$"--Gateway:PolicyDir={policies}", $"--Gateway:CandidatePolicyDir={policies}"]);
        reviewer = await gateway.CreateTokenAsync("alice-reviewer", "reviewer");
        auditor = await gateway.CreateTokenAsync("bob-auditor", "auditor");
    }

    public async Task DisposeAsync()
    {
        await gateway.DisposeAsync();
        await upstream.DisposeAsync();
    }

    [Fact]
    public void SignInAndOut_SessionCookieHttpOnlyStrict_SignedOutSessionGone()
    {
        using var browser = ConsoleBrowser.Open(gateway.BaseUrl);
        browser.Go("/console/quarantine");
        var askedToSignIn = browser.CurrentPath;
        browser.Type("#token", "sgw_not-a-token");
        browser.Navigate("#sign-in");
        var refusal = browser.Text("#sign-in-error");
        browser.Screenshot("sign-in-refused");

        browser.Type("#token", reviewer);
        browser.Navigate("#sign-in");
        var landed = browser.CurrentPath;
        var signedInAs = browser.Text("#signed-in-as");
        var session = browser.Driver.Manage().Cookies.GetCookieNamed("sgw-console");
        browser.Go("/console");
        browser.Screenshot("overview");
        browser.Navigate("#sign-out");
        var afterSignOut = browser.CurrentPath;
        browser.Go("/console");

        Assert.StartsWith("/console/signin?ReturnUrl=%2Fconsole%2Fquarantine", askedToSignIn, StringComparison.Ordinal);
        Assert.Equal("invalid token", refusal);
        Assert.Equal("/console/quarantine", landed);
        Assert.Equal("alice-reviewer", signedInAs);
        Assert.NotNull(session);
        Assert.True(session.IsHttpOnly);
        Assert.Equal("Strict", session.SameSite);
        Assert.Equal("/console", session.Path);
        Assert.DoesNotContain(reviewer, session.Value, StringComparison.Ordinal);
        Assert.Equal("/console/signin", afterSignOut);
        Assert.StartsWith("/console/signin", browser.CurrentPath, StringComparison.Ordinal);
        Assert.Null(browser.Driver.Manage().Cookies.GetCookieNamed("sgw-console"));
    }

    [Fact]
    public async Task RevokedToken_EndsItsSessionOnTheNextPage()
    {
        using var browser = ConsoleBrowser.Open(gateway.BaseUrl);
        browser.SignIn(reviewer);
        var before = browser.CurrentPath;

        await gateway.Services.GetRequiredService<ApiTokens>().RevokeAsync("alice-reviewer", "test", CancellationToken.None);
        browser.Go("/console/quarantine");

        Assert.Equal("/console", before);
        Assert.StartsWith("/console/signin", browser.CurrentPath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientToken_CannotSignIn()
    {
        var client = await gateway.CreateTokenAsync("ci-client", "client");
        using var browser = ConsoleBrowser.Open(gateway.BaseUrl);
        browser.SignIn(client);

        Assert.Contains("the console is for admin, reviewer and auditor tokens", browser.Text("#sign-in-error"), StringComparison.Ordinal);
        Assert.StartsWith("/console/signin", browser.CurrentPath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auditor_SeesNoActions_ForgedReleaseForbiddenAndNothingRecorded()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(Unlicensed));
        using var browser = ConsoleBrowser.Open(gateway.BaseUrl);
        browser.SignIn(auditor);
        browser.Go(VersionPage(Unlicensed));
        var heading = browser.Text("h1");
        var buttons = browser.FindAll("#release, #deny, #revoke, form[id$=-form]");
        var tokensLink = browser.FindAll("a[href='/console/tokens']");
        browser.Screenshot("review-page-auditor");

        using var forged = await PostFormAsync(browser, VersionPage(Unlicensed) + "&handler=Release", ("justification", "I can do this"), withToken: true);
        using var tokensPage = await SessionClient(browser).GetAsync("console/tokens");

        Assert.Equal($"{Unlicensed}@{Version}", heading);
        Assert.Empty(buttons);
        Assert.Empty(tokensLink);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Contains("may not do this", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, tokensPage.StatusCode);
        Assert.Equal(DecisionOutcome.Quarantined, (await LatestAsync(Unlicensed)).Outcome);
        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(Unlicensed));
    }

    [Fact]
    public async Task Reviewer_ReleasesFromReviewPage_GoCommandThenDownloads()
    {
        using var go = GoClient.Fresh(gateway.BaseUrl);
        var refused = await go.RunAsync(null, null, "mod", "download", $"{Unlicensed}@{Version}");
        using var browser = ConsoleBrowser.Open(gateway.BaseUrl);
        browser.SignIn(reviewer);
        browser.Go("/console/quarantine");
        browser.Screenshot("quarantine-queue");
        browser.NavigateBy(browser.Driver.FindElement(By.LinkText($"{Unlicensed}@{Version}")));
        var rules = browser.Text("table.rules");
        browser.Screenshot("review-page-reviewer");
        browser.Type("#release-justification", "internal generator output; legal agreed no licence is needed");
        browser.Navigate("#release");
        var outcome = browser.Text("#outcome");
        browser.Screenshot("review-page-released");

        var downloaded = Assert.Single(await go.DownloadJsonAsync($"{Unlicensed}@{Version}"));

        Assert.False(refused.Succeeded);
        Assert.Contains("quarantined: licence: no licence file found", refused.StandardError, StringComparison.Ordinal);
        Assert.Contains("licence", rules, StringComparison.Ordinal);
        Assert.Contains("no licence file found", rules, StringComparison.Ordinal);
        Assert.Contains("Released", outcome, StringComparison.Ordinal);
        Assert.Contains("alice-reviewer", outcome, StringComparison.Ordinal);
        Assert.True(downloaded.Succeeded, downloaded.Error);
        var decision = await LatestAsync(Unlicensed);
        Assert.Equal(DecisionOutcome.Admitted, decision.Outcome);
        Assert.Equal("alice-reviewer", decision.Actor);
        Assert.Equal("internal generator output; legal agreed no licence is needed", decision.Justification);
    }

    [Fact]
    public async Task Release_WithWaiverExpiry_RecordedAsAWaiver_UnreadableExpiryRefused()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(Unlicensed));
        using var browser = ConsoleBrowser.Open(gateway.BaseUrl);
        browser.SignIn(reviewer);
        browser.Go(VersionPage(Unlicensed));

        using var unreadable = await PostFormAsync(browser, VersionPage(Unlicensed) + "&handler=Release", ("justification", "until the vendor adds one"), withToken: true, ("expires", "next tuesday"));
        var stillQuarantined = (await LatestAsync(Unlicensed)).Outcome;
        using var released = await PostFormAsync(browser, VersionPage(Unlicensed) + "&handler=Release", ("justification", "until the vendor adds one"), withToken: true, ("expires", "2030-01-31T12:00"));

        Assert.Equal(HttpStatusCode.BadRequest, unreadable.StatusCode);
        Assert.Contains("expiry \"next tuesday\" is not a date and time", WebUtility.HtmlDecode(await unreadable.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(DecisionOutcome.Quarantined, stillQuarantined);
        Assert.Equal(HttpStatusCode.Redirect, released.StatusCode);
        var decision = await LatestAsync(Unlicensed);
        Assert.Equal(DecisionOutcome.Admitted, decision.Outcome);
        Assert.Equal(new DateTimeOffset(2030, 1, 31, 12, 0, 0, TimeSpan.Zero), decision.ExpiresAt);
    }

    [Fact]
    public async Task Deny_EmptyJustification_RefusedWithMessageOnThePage()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(Other));
        using var browser = ConsoleBrowser.Open(gateway.BaseUrl);
        browser.SignIn(reviewer);
        browser.Go(VersionPage(Other));
        browser.Navigate("#deny");
        var error = browser.Text("#error");
        browser.Screenshot("deny-without-justification");

        Assert.Contains("justification", error, StringComparison.Ordinal);
        Assert.Equal(DecisionOutcome.Quarantined, (await LatestAsync(Other)).Outcome);
    }

    [Fact]
    public async Task FormWithoutAntiforgeryToken_Refused()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(Other));
        using var browser = ConsoleBrowser.Open(gateway.BaseUrl);
        browser.SignIn(reviewer);
        browser.Go(VersionPage(Other));

        using var missing = await PostFormAsync(browser, VersionPage(Other) + "&handler=Deny", ("justification", "from another site"), withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("anti-forgery token is missing", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(DecisionOutcome.Quarantined, (await LatestAsync(Other)).Outcome);
    }

    [Fact]
    public async Task ModulePage_ListsTheConsumerWhoPulled_RevokeShowsThemAffected()
    {
        using var go = GoClient.Fresh(gateway.BaseUrl);
        Assert.True(Assert.Single(await go.DownloadJsonAsync($"{Licensed}@{Version}")).Succeeded);
        var consumers = gateway.Services.GetRequiredService<DownloadConsumers>();
        await Eventually.HoldsAsync(async () => (await consumers.FindAsync(Licensed, Version, CancellationToken.None)).Count > 0, "the ledger shows the download");
        var client = (await consumers.FindAsync(Licensed, Version, CancellationToken.None))[0].Client;
        using var browser = ConsoleBrowser.Open(gateway.BaseUrl);
        browser.SignIn(reviewer);
        browser.Go("/console/module?path=" + Uri.EscapeDataString(Licensed));
        var versions = browser.Text("#versions");
        var pulledBy = browser.Text("table.consumers");
        browser.Screenshot("module-page");
        browser.Type("#revoke-version", Version);
        browser.Type("#revoke-justification", "maintainer account compromised");
        browser.Navigate("#revoke");
        var revoked = browser.Text("#outcome");
        browser.Screenshot("module-page-revoked");

        Assert.Contains($"{Version} admitted", versions, StringComparison.Ordinal);
        Assert.Contains(client, pulledBy, StringComparison.Ordinal);
        Assert.Contains($"{Version} (was admitted", revoked, StringComparison.Ordinal);
        Assert.Contains("pulled by " + client, revoked, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(Licensed));
    }

    [Fact]
    public async Task EveryPage_RendersForAdmin_WithSecurityHeaders()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(Unlicensed));
        Assert.Equal(HttpStatusCode.OK, await ZipStatusAsync(Licensed));
        var decision = await LatestAsync(Licensed);
        using var browser = ConsoleBrowser.Open(gateway.BaseUrl);
        browser.SignIn(GatewayInstance.AdminToken);
        var seen = new Dictionary<string, string>();
        foreach (var (name, path, mark) in new[]
        {
            ("overview", "/console", "#quarantine-size"),
            ("decisions", "/console/decisions", "table.decisions"),
            ("decision", $"/console/decisions/{decision.Id}", "table.licences"),
            ("audit", "/console/audit", "#events"),
            ("policies", "/console/policies", "#test-summary"),
            ("tokens", "/console/tokens", "#tokens"),
        })
        {
            browser.Go(path);
            seen[name] = browser.Text(mark);
            browser.Screenshot(name);
        }

        browser.Go("/console/decisions?limit=1");
        var newest = browser.Text("table.decisions tbody");
        browser.Navigate("a[rel=next]");
        var older = browser.Text("table.decisions tbody");
        var olderPath = browser.CurrentPath;
        browser.Go("/console/audit");
        browser.Navigate("#verify");
        var chain = browser.Text("#chain-result");
        browser.Go("/console/policies");
        browser.Navigate("#impact");
        var impact = browser.Text("#impact-summary");
        browser.Screenshot("policies-impact");
        browser.Go("/console/tokens");
        browser.Type("#token-name", "carol-auditor");
        browser.Click("input[value=auditor]");
        browser.Navigate("#create-token");
        var created = browser.Text("#created-token");
        browser.Screenshot("tokens-created");
        using var page = await SessionClient(browser).GetAsync("console");
        using var csv = await SessionClient(browser).GetAsync("console/report?format=csv");
        browser.EmulatePhone();
        var overflowing = new List<string>();
        foreach (var path in new[] { "/console", "/console/quarantine", VersionPage(Unlicensed), "/console/decisions", "/console/audit" })
        {
            browser.Go(path);
            if (!browser.FitsWidth())
            {
                overflowing.Add(path);
            }
        }

        browser.Go(VersionPage(Unlicensed));
        browser.Screenshot("review-page-phone");

        Assert.Equal("1", seen["overview"]);
        Assert.Contains(Licensed, seen["decisions"], StringComparison.Ordinal);
        Assert.Contains("Apache-2.0", seen["decision"], StringComparison.Ordinal);
        Assert.Contains("token-created", seen["audit"], StringComparison.Ordinal);
        Assert.Contains("0 failed", seen["policies"], StringComparison.Ordinal);
        Assert.Contains("alice-reviewer", seen["tokens"], StringComparison.Ordinal);
        Assert.Contains(Licensed, newest, StringComparison.Ordinal);
        Assert.Contains(Unlicensed, older, StringComparison.Ordinal);
        Assert.Equal("/console/decisions?limit=1&before=2", olderPath);
        Assert.StartsWith("The chains hold", chain, StringComparison.Ordinal);
        Assert.Contains("against 2 decided module versions: 0 would change", impact, StringComparison.Ordinal);
        Assert.StartsWith(ApiTokens.Prefix, created, StringComparison.Ordinal);
        Assert.Equal(["auditor"], (await gateway.Services.GetRequiredService<ApiTokens>().FindAsync(created, CancellationToken.None))!.Roles);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", csv.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Contains(Licensed, await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(overflowing); // readable on a phone: nothing wider than the screen but scrolling tables
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var csp = string.Join(' ', page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", string.Join(' ', page.Headers.GetValues("X-Content-Type-Options")));
        Assert.DoesNotContain("<script", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    private static string VersionPage(string module) => $"/console/version?module={Uri.EscapeDataString(module)}&version={Version}";

    /// <summary>An HTTP client in the browser's session (its cookies), as a script or a tool in the signed-in user's hands.</summary>
    private HttpClient SessionClient(ConsoleBrowser browser) =>
        new(new HttpClientHandler { CookieContainer = browser.Cookies(), AllowAutoRedirect = false }, disposeHandler: true)
        {
            BaseAddress = new Uri(gateway.BaseUrl + "/"),
        };

    /// <summary>A form posted by hand in the browser's session, with the page's antiforgery token or without one.</summary>
    private async Task<HttpResponseMessage> PostFormAsync(
        ConsoleBrowser browser, string path, (string Name, string Value) field, bool withToken, params (string Name, string Value)[] more)
    {
        var fields = new List<KeyValuePair<string, string>> { new(field.Name, field.Value) };
        fields.AddRange(more.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
        if (withToken)
        {
            fields.Add(new("__RequestVerificationToken", browser.FormToken()));
        }

        using var client = SessionClient(browser);
        return await client.PostAsync(path.TrimStart('/'), new FormUrlEncodedContent(fields));
    }

    private async Task<HttpStatusCode> ZipStatusAsync(string module)
    {
        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(module, Version, "zip").TrimStart('/'));
        return response.StatusCode;
    }

    private async Task<Decision> LatestAsync(string module) =>
        (await gateway.Services.GetRequiredService<DecisionLog>().LatestAsync(module, Version, CancellationToken.None))!;

}
