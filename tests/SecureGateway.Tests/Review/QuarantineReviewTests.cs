using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SecureGateway.Review;
using SecureGateway.Admission;
using SecureGateway.Policy;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Review;

/// <summary>The security team's day: quarantine reviewed through the admin API and the CLI, re-evaluation taking versions back.</summary>
public sealed class QuarantineReviewTests : IAsyncLifetime
{
    private const string Unlicensed = "example.com/unlicensed";
    private const string Other = "example.com/other";
    private const string Licensed = "example.com/licensed";
    private static readonly DateTimeOffset LongAgo = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly GoProxyLayout layout = new(TempDirectory.Create("upstream"));
    private readonly string policies = Repository.CopyOfPolicies();
    private StaticGoProxyServer upstream = null!;
    private GatewayInstance gateway = null!;

    public async Task InitializeAsync()
    {
        foreach (var module in new[] { Unlicensed, Other })
        {
            layout.AddVersion(module, "v1.0.0", $"module {module}\n",
                GoProxyLayout.ModuleFiles(module, "v1.0.0", ("go.mod", $"module {module}\n"), ("a.go", "package a\n")), LongAgo);
        }

        layout.AddVersion(Licensed, "v1.0.0", $"module {Licensed}\n",
            GoProxyLayout.ModuleFiles(Licensed, "v1.0.0", ("go.mod", $"module {Licensed}\n"), ("a.go", "package a\n"),
                ("LICENSE", File.ReadAllText("/usr/share/common-licenses/Apache-2.0"))), LongAgo);
        upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        gateway = await GatewayInstance.StartAsync(upstream.Url, extraArguments: [$"--Gateway:PolicyDir={policies}"]);
    }

    public async Task DisposeAsync()
    {
        await gateway.DisposeAsync();
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task Release_QuarantinedVersion_ServedAfterwardsAndRecordedWithJustification()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(Unlicensed));
        var listed = await AdminJsonAsync(HttpMethod.Get, "admin/quarantine");
        var item = Assert.Single(listed.GetProperty("items").EnumerateArray());
        Assert.Equal(Unlicensed, item.GetProperty("module").GetString());
        Assert.Contains("licence: no licence file found", item.GetProperty("reasons")[0].GetString(), StringComparison.Ordinal);

        using var missing = await AdminAsync(HttpMethod.Post, "admin/quarantine/release", new { module = Unlicensed, version = "v1.0.0" });
        using var released = await AdminAsync(HttpMethod.Post, "admin/quarantine/release",
            new { module = Unlicensed, version = "v1.0.0", justification = "internal tool, licence agreed with legal" });
        using var again = await AdminAsync(HttpMethod.Post, "admin/quarantine/release",
            new { module = Unlicensed, version = "v1.0.0", justification = "twice" });
        using var unknown = await AdminAsync(HttpMethod.Post, "admin/quarantine/deny",
            new { module = "example.com/never", version = "v1.0.0", justification = "no" });

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await ZipStatusAsync(Unlicensed));
        var decision = (await gateway.DecisionsAsync($"?module={Unlicensed}"))[0];
        Assert.Equal("admitted", decision.GetProperty("outcome").GetString());
        Assert.Equal("admin", decision.GetProperty("actor").GetString());
        Assert.Equal("internal tool, licence agreed with legal", decision.GetProperty("justification").GetString());
        Assert.Empty((await AdminJsonAsync(HttpMethod.Get, "admin/quarantine")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task GoCommand_FullReviewCycle_QuarantinedRefusedReleasedDownloaded()
    {
        using var client = GoClient.Fresh(gateway.BaseUrl);

        var refused = await client.RunAsync(null, null, "mod", "download", $"{Unlicensed}@v1.0.0");
        using var released = await AdminAsync(HttpMethod.Post, "admin/quarantine/release",
            new { module = Unlicensed, version = "v1.0.0", justification = "generated code, no licence needed" });
        var downloaded = Assert.Single(await client.DownloadJsonAsync($"{Unlicensed}@v1.0.0"));

        Assert.False(refused.Succeeded);
        Assert.Contains("403 Forbidden\n\tserver response: quarantined: licence: no licence file found", refused.StandardError, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.True(downloaded.Succeeded, downloaded.Error);
        Assert.Equal(["admitted", "quarantined"], (await gateway.DecisionsAsync($"?module={Unlicensed}")).Select(d => d.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task WaiverExpiry_ReleaseLapses_VersionReevaluatedBackIntoQuarantine()
    {
        // This test alone moves the clock: the others let the ledger's batches (on the same clock) flush in real time.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await gateway.DisposeAsync();
        gateway = await GatewayInstance.StartOnClockAsync(upstream.Url, time, $"--Gateway:PolicyDir={policies}");
        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(Unlicensed));
        var expires = time.GetUtcNow().AddMinutes(1);
        using (var released = await AdminAsync(HttpMethod.Post, "admin/quarantine/release",
            new { module = Unlicensed, version = "v1.0.0", justification = "until the vendor adds a licence", expires }))
        {
            Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, await ZipStatusAsync(Unlicensed));
        var reevaluation = gateway.Services.GetRequiredService<Reevaluation>();
        var bundle = gateway.Services.GetRequiredService<LivePolicy>().Current!;
        var before = await reevaluation.RunAsync(bundle, "test", ReevaluationScope.ExpiredWaivers, null, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(2));
        var after = await reevaluation.RunAsync(bundle, "test", ReevaluationScope.ExpiredWaivers, null, CancellationToken.None);

        Assert.Empty(before.Changes);
        var change = Assert.Single(after.Changes);
        Assert.Equal("quarantined", change.To);
        Assert.Contains(change.Reasons, r => r.StartsWith("waiver by admin expired", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(Unlicensed));
    }

    [Fact]
    public async Task Deny_QuarantinedVersion_RefusedForGoodWithReviewerReason()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(Other));

        using var denied = await AdminAsync(HttpMethod.Post, "admin/quarantine/deny",
            new { module = Other, version = "v1.0.0", justification = "abandoned fork" });
        using var refused = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Other, "v1.0.0", "mod").TrimStart('/'));

        Assert.Equal(HttpStatusCode.OK, denied.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.StartsWith("denied: denied after review by admin: abandoned fork", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(gateway.DataDirectory, "quarantine", "example.com", "other", "@v", "v1.0.0")));
    }

    [Fact]
    public async Task NewDenylistLine_TakesAdmittedVersionBackAtOnceNamingConsumers()
    {
        Assert.Equal(HttpStatusCode.OK, await ZipStatusAsync(Licensed));
        await Eventually.HoldsAsync(async () => (await AdminJsonAsync(HttpMethod.Get, $"admin/consumers?module={Licensed}")).GetProperty("items").GetArrayLength() > 0, "the ledger shows the consumer");
        File.AppendAllText(Path.Combine(policies, "denylist.txt"), $"\n{Licensed}\n");
        var live = gateway.Services.GetRequiredService<LivePolicy>();
        await live.ReloadAsync(CancellationToken.None);

        // No one runs re-evaluation: the newly live bundle's denylist matches an admitted version, which is re-evaluated at once.
        await Eventually.HoldsAsync(async () => (await gateway.DecisionsAsync($"?module={Licensed}"))[0].GetProperty("outcome").GetString() == "denied", "the denylisted version is denied");
        using var started = await AdminAsync(HttpMethod.Post, "admin/reevaluate", null);
        JsonElement status = default;
        await Eventually.HoldsAsync(async () => (status = await AdminJsonAsync(HttpMethod.Get, "admin/reevaluate")).GetProperty("state").GetString() != "running", "re-evaluation finishes");

        var decision = (await gateway.DecisionsAsync($"?module={Licensed}"))[0];
        Assert.Equal("gateway (re-evaluation)", decision.GetProperty("actor").GetString());
        Assert.Contains(decision.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.Contains("already pulled by: 127.0.0.1", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Empty(status.GetProperty("summary").GetProperty("changes").EnumerateArray());
        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(Licensed));
        Assert.False(Directory.Exists(Path.Combine(gateway.DataDirectory, "cache", "example.com", "licensed", "@v", "v1.0.0")));
        Assert.True(Directory.Exists(Path.Combine(gateway.DataDirectory, "held", "example.com", "licensed", "@v", "v1.0.0")));
    }

    [Fact]
    public async Task Cli_QuarantineListAndRelease_RecordedWithOperator()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(Unlicensed));
        string[] config = [$"--ConnectionStrings:Audit={gateway.ConnectionString}", $"--Gateway:DataDir={gateway.DataDirectory}", $"--Gateway:PolicyDir={policies}"];

        var list = await GatewayCli.RunAsync(["quarantine", "list", .. config]);
        var release = await GatewayCli.RunAsync(["quarantine", "release", "--module", Unlicensed, "--version", "v1.0.0", "--justification", "vendored copy reviewed", .. config]);

        Assert.Equal(0, list.Exit);
        Assert.Contains($"{Unlicensed}@v1.0.0", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 in quarantine", list.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, release.Exit);
        // The CLI is another process: the gateway hears its release through the decision feed, a moment later.
        await Eventually.HoldsAsync(async () => await ZipStatusAsync(Unlicensed) == HttpStatusCode.OK, "the gateway serves the version the CLI released");
        Assert.EndsWith("(cli)", (await gateway.DecisionsAsync($"?module={Unlicensed}"))[0].GetProperty("actor").GetString(), StringComparison.Ordinal);
    }

    private async Task<HttpStatusCode> ZipStatusAsync(string module)
    {
        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(module, "v1.0.0", "zip").TrimStart('/'));
        return response.StatusCode;
    }

    private async Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path, object? body)
    {
        var request = GatewayInstance.AdminRequest(path);
        request.Method = method;
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await gateway.Http.SendAsync(request);
    }

    private async Task<JsonElement> AdminJsonAsync(HttpMethod method, string path)
    {
        using var response = await AdminAsync(method, path, null);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

}
