using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Tests.ChecksumDb;
using SecureGateway.Verification.DirHash;

namespace SecureGateway.Tests.Review;

/// <summary>
/// Later knowledge wins over earlier decisions without anyone acting by hand: an advisory arriving in a vulnerability
/// sync refuses a released version again at once, and a refusal of what an upstream served lapses after the cool-down.
/// </summary>
public sealed class LaterKnowledgeTests
{
    private const string Unlicensed = "example.com/unlicensed";
    private const string Advisory = "GO-2099-0001";
    private static readonly DateTimeOffset LongAgo = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Released_AdvisoryArrivesInVulnSync_RefusedAgainAtOnceNamingTheAdvisory()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        layout.AddVersion(Unlicensed, "v1.0.0", $"module {Unlicensed}\n",
            GoProxyLayout.ModuleFiles(Unlicensed, "v1.0.0", ("go.mod", $"module {Unlicensed}\n"), ("a.go", "package a\n")), LongAgo);
        var vulndb = TempDirectory.Create("vulndb");
        WriteVulnDb(vulndb, withAdvisory: false);
        await using var upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var syncInterval = TimeSpan.FromMinutes(5);
        await using var gateway = await GatewayInstance.StartOnClockAsync(upstream.Url, time,
            $"--Gateway:PolicyDir={Repository.CopyOfPolicies()}", $"--Gateway:VulnDb:Source={vulndb}", $"--Gateway:VulnDb:Interval={syncInterval}");
        await gateway.WaitForFactDataAsync();

        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(gateway));
        using (var released = await PostAsync(gateway, "admin/quarantine/release", new { module = Unlicensed, version = "v1.0.0", justification = "licence agreed with the vendor" }))
        {
            Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        }

        using (var client = GoClient.Fresh(gateway.BaseUrl))
        {
            Assert.True(Assert.Single(await client.DownloadJsonAsync($"{Unlicensed}@v1.0.0")).Succeeded);
        }

        WriteVulnDb(vulndb, withAdvisory: true);
        time.Advance(syncInterval);
        await Eventually.HoldsAsync(async () => await ZipStatusAsync(gateway) == HttpStatusCode.Forbidden, "the advisory refuses the released version");

        using var again = GoClient.Fresh(gateway.BaseUrl);
        var refused = await again.RunAsync(null, null, "mod", "download", $"{Unlicensed}@v1.0.0");
        var decision = (await gateway.DecisionsAsync($"?module={Unlicensed}"))[0];

        Assert.False(refused.Succeeded);
        Assert.Contains($"403 Forbidden\n\tserver response:\n\tdenied: known vulnerability {Advisory} (no fixed version) (decision ", refused.StandardError, StringComparison.Ordinal);
        Assert.Equal("gateway (re-evaluation)", decision.GetProperty("actor").GetString());
        Assert.Contains(decision.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.StartsWith("not covered by the release by admin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Released_ReevaluatedWithNothingNew_ReleaseStands()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        layout.AddVersion(Unlicensed, "v1.0.0", $"module {Unlicensed}\n",
            GoProxyLayout.ModuleFiles(Unlicensed, "v1.0.0", ("go.mod", $"module {Unlicensed}\n"), ("a.go", "package a\n")), LongAgo);
        await using var upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url, extraArguments: [$"--Gateway:PolicyDir={Repository.CopyOfPolicies()}"]);
        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(gateway));
        using (await PostAsync(gateway, "admin/quarantine/release", new { module = Unlicensed, version = "v1.0.0", justification = "licence agreed with the vendor" }))
        {
        }

        using var run = await PostAsync(gateway, "admin/reevaluate", new { });
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        string? state;
        do
        {
            using var status = await gateway.Http.SendAsync(GatewayInstance.AdminRequest("admin/reevaluate"));
            state = (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString();
        }
        while (state == "running");

        Assert.Equal("done", state);

        Assert.Equal(HttpStatusCode.OK, await ZipStatusAsync(gateway));
        Assert.Equal("admitted", (await gateway.DecisionsAsync($"?module={Unlicensed}"))[0].GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task TamperedZipThenTheRightOne_DeniedThenAdmittedAfterCooldown_BothInTheTrail()
    {
        const string module = "example.com/tampered";
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        layout.AddVersion(module, "v1.0.0", $"module {module}\n",
            GoProxyLayout.ModuleFiles(module, "v1.0.0", ("go.mod", $"module {module}\n"), ("a.go", "package a\n")), LongAgo);
        var zip = layout.FilePath(module, "v1.0.0", "zip");
        var honest = File.ReadAllBytes(zip);
        await using var sumdb = TestChecksumDatabase.Start();
        sumdb.AddModule(module, "v1.0.0", Hash1.OfZip(zip), Hash1.OfGoMod(File.ReadAllBytes(layout.FilePath(module, "v1.0.0", "mod"))));
        layout.AddVersion(module, "v1.0.0", $"module {module}\n",
            GoProxyLayout.ModuleFiles(module, "v1.0.0", ("go.mod", $"module {module}\n"), ("a.go", "package a; func init() { steal() }\n")), LongAgo);
        await using var upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cooldown = TimeSpan.FromHours(1);
        await using var gateway = await GatewayInstance.StartOnClockAsync(upstream.Url, time, $"--Gateway:SumDb={sumdb.GoSumDb}", $"--Gateway:RefusalCooldown={cooldown}");

        using (var client = GoClient.Fresh(gateway.BaseUrl))
        {
            var refused = await client.RunAsync(null, null, "mod", "download", $"{module}@v1.0.0");
            Assert.False(refused.Succeeded);
            Assert.Contains("server response: denied: checksum mismatch: zip ", refused.StandardError, StringComparison.Ordinal);
        }

        File.WriteAllBytes(zip, honest);
        time.Advance(cooldown / 2);
        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(gateway, module));
        time.Advance(cooldown);
        using var after = GoClient.Fresh(gateway.BaseUrl);
        var admitted = Assert.Single(await after.DownloadJsonAsync($"{module}@v1.0.0"));

        Assert.True(admitted.Succeeded, admitted.Error);
        var trail = await gateway.DecisionsAsync($"?module={module}");
        Assert.Equal(["admitted", "denied"], trail.Select(d => d.GetProperty("outcome").GetString()));
        Assert.Equal(JsonValueKind.String, trail[1].GetProperty("redecideAfter").ValueKind);
        Assert.Equal(JsonValueKind.Null, trail[0].GetProperty("redecideAfter").ValueKind);
    }

    private static void WriteVulnDb(string directory, bool withAdvisory)
    {
        Directory.CreateDirectory(Path.Combine(directory, "index"));
        Directory.CreateDirectory(Path.Combine(directory, "ID"));
        const string modified = "2026-12-01T00:00:00Z";
        if (withAdvisory)
        {
            File.WriteAllText(Path.Combine(directory, "ID", $"{Advisory}.json"), $$"""
                {"schema_version":"1.3.1","id":"{{Advisory}}","modified":"{{modified}}","published":"{{modified}}","aliases":["CVE-2099-0001"],"summary":"init() sends credentials away","details":"Malicious code.","affected":[{"package":{"name":"{{Unlicensed}}","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}
                """);
        }

        File.WriteAllText(Path.Combine(directory, "index", "modules.json"), withAdvisory
            ? $$"""[{"path":"{{Unlicensed}}","vulns":[{"id":"{{Advisory}}","modified":"{{modified}}"}]}]"""
            : "[]");
    }

    private static async Task<HttpStatusCode> ZipStatusAsync(GatewayInstance gateway, string module = Unlicensed)
    {
        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(module, "v1.0.0", "zip").TrimStart('/'));
        return response.StatusCode;
    }

    private static Task<HttpResponseMessage> PostAsync(GatewayInstance gateway, string path, object body)
    {
        var request = GatewayInstance.AdminRequest(path);
        request.Method = HttpMethod.Post;
        request.Content = JsonContent.Create(body);
        return gateway.Http.SendAsync(request);
    }
}
