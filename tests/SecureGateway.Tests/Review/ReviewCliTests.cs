using System.Net;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Review;

/// <summary>Acts from the operator's shell, in a process of their own: the running gateway hears them at once.</summary>
public sealed class ReviewCliTests : IAsyncLifetime
{
    private const string Module = "example.com/clitarget";
    private const string Unlicensed = "example.com/cliunlicensed";
    private static readonly DateTimeOffset LongAgo = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly GoProxyLayout layout = new(TempDirectory.Create("upstream"));
    private readonly string policies = Repository.CopyOfPolicies();
    private StaticGoProxyServer upstream = null!;
    private GatewayInstance gateway = null!;

    private string[] Config => [$"--ConnectionStrings:Audit={gateway.ConnectionString}", $"--Gateway:DataDir={gateway.DataDirectory}", $"--Gateway:PolicyDir={policies}"];

    public async Task InitializeAsync()
    {
        layout.AddVersion(Module, "v1.0.0", $"module {Module}\n",
            GoProxyLayout.ModuleFiles(Module, "v1.0.0", ("go.mod", $"module {Module}\n"), ("a.go", "package a\n"),
                ("LICENSE", File.ReadAllText("/usr/share/common-licenses/Apache-2.0"))), LongAgo);
        layout.AddVersion(Unlicensed, "v1.0.0", $"module {Unlicensed}\n",
            GoProxyLayout.ModuleFiles(Unlicensed, "v1.0.0", ("go.mod", $"module {Unlicensed}\n"), ("a.go", "package a\n")), LongAgo);
        upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        gateway = await GatewayInstance.StartAsync(upstream.Url, extraArguments: [$"--Gateway:PolicyDir={policies}"]);
    }

    public async Task DisposeAsync()
    {
        await gateway.DisposeAsync();
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task Cli_RevokeReconsiderDoctor_RunningGatewayFollowsAtOnce()
    {
        Assert.Equal(HttpStatusCode.OK, await ZipStatusAsync(Module));

        var revoke = await GatewayCli.RunAsync(["revoke", "--module", Module, "--version", "v1.0.0", "--justification", "leaked signing key", .. Config]);
        await WaitForStatusAsync(Module, HttpStatusCode.Forbidden);
        var reconsider = await GatewayCli.RunAsync(["reconsider", "--module", Module, "--version", "v1.0.0", "--justification", "key rotated, rebuilt", .. Config]);
        await WaitForStatusAsync(Module, HttpStatusCode.OK);
        var doctor = await GatewayCli.RunAsync(["doctor", .. Config]);
        var bad = await GatewayCli.RunAsync(["revoke", "--module", Module, "--range", "~v1", "--justification", "x", .. Config]);

        Assert.Equal(0, revoke.Exit);
        Assert.Contains($"{Module}@v1.0.0: was admitted (decision ", revoke.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("(cli)", (await gateway.DecisionsAsync($"?module={Module}"))[^2].GetProperty("actor").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, reconsider.Exit);
        Assert.Equal(0, doctor.Exit);
        Assert.Contains("versions decided; 0 moved to match their decision", doctor.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, bad.Exit);
        Assert.Contains("bad version constraint", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_VulnDbSyncBringsAdvisory_ReleasedVersionRefusedByTheRunningGateway()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await ZipStatusAsync(Unlicensed));
        var release = await GatewayCli.RunAsync(["quarantine", "release", "--module", Unlicensed, "--version", "v1.0.0", "--justification", "vendored, licence on file", .. Config]);
        Assert.Equal(0, release.Exit);
        await WaitForStatusAsync(Unlicensed, HttpStatusCode.OK);

        var vulndb = TempDirectory.Create("vulndb");
        Directory.CreateDirectory(Path.Combine(vulndb, "index"));
        Directory.CreateDirectory(Path.Combine(vulndb, "ID"));
        File.WriteAllText(Path.Combine(vulndb, "index", "modules.json"), $$"""[{"path":"{{Unlicensed}}","vulns":[{"id":"GO-2099-0002","modified":"2026-12-01T00:00:00Z"}]}]""");
        File.WriteAllText(Path.Combine(vulndb, "ID", "GO-2099-0002.json"), $$"""
            {"schema_version":"1.3.1","id":"GO-2099-0002","modified":"2026-12-01T00:00:00Z","aliases":[],"summary":"backdoor","details":"x","affected":[{"package":{"name":"{{Unlicensed}}","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.1"}]}]}]}
            """);
        var sync = await GatewayCli.RunAsync(["vulndb", "sync", $"--Gateway:VulnDb:Source={vulndb}", .. Config]);
        await WaitForStatusAsync(Unlicensed, HttpStatusCode.Forbidden);

        Assert.Equal(0, sync.Exit);
        Assert.Contains($"{Unlicensed}@v1.0.0: admitted → denied", sync.Stdout, StringComparison.Ordinal);
        Assert.Contains("GO-2099-0002 (fixed in v1.0.1)", (await gateway.DecisionsAsync($"?module={Unlicensed}"))[0].GetProperty("reasons")[0].GetString(), StringComparison.Ordinal);
    }

    private async Task<HttpStatusCode> ZipStatusAsync(string module)
    {
        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(module, "v1.0.0", "zip").TrimStart('/'));
        return response.StatusCode;
    }

    /// <summary>The running gateway follows the CLI at once (NOTIFY); waited for generously, as how fast belongs in the benchmark.</summary>
    private Task WaitForStatusAsync(string module, HttpStatusCode status) =>
        Eventually.HoldsAsync(async () => await ZipStatusAsync(module) == status, $"{module} answers {status}");
}
