using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SecureGateway.Policy;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Policy;

/// <summary>The shipped default policies deciding real admissions, seen from the real go command.</summary>
public sealed class PolicyAdmissionTests : IAsyncLifetime
{
    private const string Mit = "example.com/permissive";
    private const string Gpl = "example.com/copyleft";
    private const string Unlicensed = "example.com/unlicensed";
    private const string Fresh = "example.com/fresh";
    private const string Evil = "example.com/evil/tool";
    private const string Vulnerable = "github.com/beego/beego";
    private const string GnuLgpl = "example.com/gnu-lgpl";
    private const string LinkingException = "example.com/linking-exception";

    private static readonly DateTimeOffset LongAgo = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    internal const string MitText = """
        MIT License

        Copyright (c) 2020 Example Authors

        Permission is hereby granted, free of charge, to any person obtaining a copy
        of this software and associated documentation files (the "Software"), to deal
        in the Software without restriction, including without limitation the rights
        to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
        copies of the Software, and to permit persons to whom the Software is
        furnished to do so, subject to the following conditions:

        The above copyright notice and this permission notice shall be included in all
        copies or substantial portions of the Software.

        THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
        IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
        FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
        AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
        LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
        OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
        SOFTWARE.
        """;

    private readonly GoProxyLayout layout = new(TempDirectory.Create("upstream"));
    private readonly string policies = Repository.CopyOfPolicies();
    private readonly string vulnDb = TempDirectory.Create("vulndb");
    private StaticGoProxyServer upstream = null!;
    private GatewayInstance gateway = null!;

    public async Task InitializeAsync()
    {
        Add(Mit, LongAgo, MitText);
        Add(Gpl, LongAgo, File.ReadAllText("/usr/share/common-licenses/GPL-3"));
        Add(Unlicensed, LongAgo, null);
        Add(Fresh, DateTimeOffset.UtcNow.AddHours(-5), MitText);
        Add(Evil, LongAgo, MitText);
        // The GNU way of shipping the LGPL-3.0, and juju/errors' LICENSE (the LGPL-3.0 with a linking exception, allowed
        // by name in this test's configuration).
        AddWith(GnuLgpl, ("COPYING", File.ReadAllText("/usr/share/common-licenses/GPL-3")), ("COPYING.LESSER", File.ReadAllText("/usr/share/common-licenses/LGPL-3")));
        AddWith(LinkingException, ("LICENSE", File.ReadAllText(Path.Combine(Repository.Root, "tests/SecureGateway.Core.Tests/Policy/Licences/Corpus/juju-errors/LICENSE"))));
        var config = Path.Combine(policies, "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"MIT\", \"Apache-2.0\"", "\"MIT\", \"LGPL-3.0-only WITH LGPL-3.0-linking-exception\", \"Apache-2.0\"", StringComparison.Ordinal));
        layout.AddVersion(Vulnerable, "v1.12.8", $"module {Vulnerable}\n", Files(Vulnerable, "v1.12.8", MitText), LongAgo);
        new SecureGateway.Tests.Facts.VulnDbLayout().WriteTo(vulnDb);
        File.AppendAllText(Path.Combine(policies, "denylist.txt"), "\nexample.com/evil/*\n");
        upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        gateway = await GatewayInstance.StartAsync(upstream.Url, extraArguments: [$"--Gateway:PolicyDir={policies}", $"--Gateway:VulnDb:Source={vulnDb}"]);
        await gateway.WaitForFactDataAsync();
    }

    public async Task DisposeAsync()
    {
        await gateway.DisposeAsync();
        await upstream.DisposeAsync();
    }

    [Theory]
    [InlineData(Gpl, "denied: licence: ", "GPL-3.0")]
    [InlineData(Unlicensed, "quarantined: licence: ", "no licence file found")]
    [InlineData(Evil, "denied: denylist: ", "example.com/evil/*")]
    [InlineData(Fresh, "quarantined: age: ", "younger than 7 days")]
    public async Task GoModDownload_PolicyRefuses_GoUserSeesRuleAndReason(string module, string refusal, string reason)
    {
        using var client = GoClient.Fresh(gateway.BaseUrl);

        var result = await client.RunAsync(null, null, "mod", "download", $"{module}@v1.0.0");

        Assert.False(result.Succeeded);
        Assert.Contains($"403 Forbidden\n\tserver response: {refusal}", result.StandardError, StringComparison.Ordinal);
        Assert.Contains(reason, result.StandardError, StringComparison.Ordinal);
        var decision = Assert.Single(await gateway.DecisionsAsync($"?module={module}"));
        Assert.Equal(refusal.Split(':')[0], decision.GetProperty("outcome").GetString());
    }

    // COPYING (GPL-3.0) beside COPYING.LESSER (LGPL-3.0): the module is LGPL-3.0, on neither list, not GPL-3.0 and denied.
    [Fact]
    public async Task GoModDownload_GnuLgplPair_QuarantinedAsLgplNotDeniedAsGpl()
    {
        using var client = GoClient.Fresh(gateway.BaseUrl);

        var result = await client.RunAsync(null, null, "mod", "download", $"{GnuLgpl}@v1.0.0");

        Assert.False(result.Succeeded);
        Assert.Contains(
            "server response: quarantined: licence: licence LGPL-3.0-only (COPYING.LESSER) neither allowed nor denied: needs review",
            result.StandardError,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task GoModDownload_LgplWithLinkingExceptionAllowedByName_AdmittedWithTheExpressionInItsFacts()
    {
        var decision = await DownloadAdmittedAsync(LinkingException);

        var licence = decision.GetProperty("ruleResults").EnumerateArray().Single(r => r.GetProperty("rule").GetString() == "licence");
        Assert.Equal("licence LGPL-3.0-only WITH LGPL-3.0-linking-exception (LICENSE)", licence.GetProperty("reason").GetString());
        Assert.Equal("LGPL-3.0-only WITH LGPL-3.0-linking-exception", decision.GetProperty("facts").GetProperty("licenceExpression").GetString());
    }

    [Fact]
    public async Task GoModDownload_PermissiveOldModule_AdmittedWithPolicyRevisionRecorded()
    {
        var decision = await DownloadAdmittedAsync(Mit);

        Assert.Equal(gateway.Services.GetRequiredService<LivePolicy>().Current!.Revision, decision.GetProperty("policyRevision").GetString());
    }

    [Fact]
    public async Task Quarantined_ArtefactsHeldApartAndNeverServed()
    {
        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Unlicensed, "v1.0.0", "zip").TrimStart('/'));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.True(File.Exists(Path.Combine(gateway.DataDirectory, "quarantine", "example.com", "unlicensed", "@v", "v1.0.0", "zip")));
        Assert.False(Directory.Exists(Path.Combine(gateway.DataDirectory, "cache", "example.com", "unlicensed")));
    }

    [Fact]
    public async Task List_OmitsRefusedAndDenylistedVersions()
    {
        layout.AddVersion(Gpl, "v0.9.0", $"module {Gpl}\n", Files(Gpl, "v0.9.0", MitText), LongAgo);
        using (var refused = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Gpl, "v1.0.0", "info").TrimStart('/')))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var list = await gateway.Http.GetStringAsync(GoProxyLayout.ListRequestPath(Gpl).TrimStart('/'));
        var evilList = await gateway.Http.GetStringAsync(GoProxyLayout.ListRequestPath(Evil).TrimStart('/'));

        Assert.Equal("v0.9.0\n", list);
        Assert.Equal("", evilList);
    }

    [Fact]
    public async Task PolicyFolderChanged_NewRevisionGoesLiveBrokenOneRefusedAndRecorded()
    {
        var live = gateway.Services.GetRequiredService<LivePolicy>();
        var first = live.Current!.Revision;

        File.AppendAllText(Path.Combine(policies, "age.js"), "\n// reviewed\n");
        var second = await live.ReloadAsync(CancellationToken.None);
        File.WriteAllText(Path.Combine(policies, "broken.js"), "function rule(facts, config) { return { ");
        var third = await live.ReloadAsync(CancellationToken.None);

        Assert.NotEqual(first, second);
        Assert.Equal(second, third);
        Assert.Equal(second, live.Current!.Revision);
    }

    [Fact]
    public async Task GoModDownload_KnownVulnerability_DeniedNamingIdAndFix()
    {
        await gateway.Services.GetRequiredService<SecureGateway.Facts.VulnerabilityDatabase>().SyncAsync(CancellationToken.None);
        using var client = GoClient.Fresh(gateway.BaseUrl);

        var result = await client.RunAsync(null, null, "mod", "download", $"{Vulnerable}@v1.12.8");

        Assert.False(result.Succeeded);
        Assert.Contains("server response: denied: vulnerabilities: ", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("GO-2022-0463 (fixed in v1.12.9)", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyCommands_TestEvalImpact_AgainstRecordedFacts()
    {
        using (var admitted = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Mit, "v1.0.0", "mod").TrimStart('/')))
        {
            Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        }

        string[] config = [$"--ConnectionStrings:Audit={gateway.ConnectionString}", $"--Gateway:DataDir={gateway.DataDirectory}", $"--Gateway:PolicyDir={policies}"];
        var candidate = Repository.CopyOfPolicies();
        File.AppendAllText(Path.Combine(candidate, "denylist.txt"), $"\n{Mit} >=v1.0.0\n");

        var test = await GatewayCli.RunAsync("policy", "test", "--dir", policies);
        var eval = await GatewayCli.RunAsync(["policy", "eval", "--module", Mit, "--version", "v1.0.0", .. config]);
        var evalCandidate = await GatewayCli.RunAsync(["policy", "eval", "--module", Mit, "--version", "v1.0.0", "--dir", candidate, .. config]);
        var impact = await GatewayCli.RunAsync(["policy", "impact", "--dir", candidate, .. config]);

        Assert.Equal(0, test.Exit);
        Assert.EndsWith(" passed, 0 failed\n", test.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, eval.Exit);
        Assert.StartsWith($"{Mit}@v1.0.0: admit ", eval.Stdout, StringComparison.Ordinal);
        Assert.Contains("  licence: admit", eval.Stdout, StringComparison.Ordinal);
        Assert.StartsWith($"{Mit}@v1.0.0: deny ", evalCandidate.Stdout, StringComparison.Ordinal);
        Assert.Contains("admitted → denied: 1\n", impact.Stdout, StringComparison.Ordinal);
        Assert.Contains($"  {Mit}@v1.0.0 — denylist: ", impact.Stdout, StringComparison.Ordinal);
        Assert.Single(await gateway.DecisionsAsync($"?module={Mit}"));
    }

    private void Add(string module, DateTimeOffset time, string? licence)
    {
        layout.AddVersion(module, "v1.0.0", $"module {module}\n", Files(module, "v1.0.0", licence), time);
    }

    /// <summary>Downloads v1.0.0 of <paramref name="module"/> with the real go command; it must succeed, admitted. Returns the decision.</summary>
    private async Task<JsonElement> DownloadAdmittedAsync(string module)
    {
        using var client = GoClient.Fresh(gateway.BaseUrl);

        var downloaded = Assert.Single(await client.DownloadJsonAsync($"{module}@v1.0.0"));

        Assert.True(downloaded.Succeeded, downloaded.Error);
        var decision = Assert.Single(await gateway.DecisionsAsync($"?module={module}"));
        Assert.Equal("admitted", decision.GetProperty("outcome").GetString());
        return decision;
    }

    private void AddWith(string module, params (string Name, string Content)[] licenceFiles)
    {
        var files = new List<(string, string)> { ("go.mod", $"module {module}\n"), ("lib.go", "package lib\n") };
        files.AddRange(licenceFiles);
        layout.AddVersion(module, "v1.0.0", $"module {module}\n", GoProxyLayout.ModuleFiles(module, "v1.0.0", [.. files]).Select(f => (f.Name, f.Content)), LongAgo);
    }

    private static IEnumerable<(string Name, byte[] Content)> Files(string module, string version, string? licence)
    {
        var files = new List<(string, string)> { ("go.mod", $"module {module}\n"), ("lib.go", "package lib\n") };
        if (licence is not null)
        {
            files.Add(("LICENSE", licence));
        }

        return GoProxyLayout.ModuleFiles(module, version, [.. files]).Select(f => (f.Name, f.Content));
    }
}
