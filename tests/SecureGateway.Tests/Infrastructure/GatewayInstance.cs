using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using SecureGateway.Hosting;

namespace SecureGateway.Tests.Infrastructure;

/// <summary>
/// A real gateway on a loopback port (the go command needs a socket), built exactly as `serve` builds it,
/// recording into a real PostgreSQL database.
/// </summary>
internal sealed class GatewayInstance : IAsyncDisposable
{
    public const string AdminToken = "test-admin-token";

    private readonly WebApplication app;

    private GatewayInstance(WebApplication app, string baseUrl, string dataDirectory, string connectionString)
    {
        this.app = app;
        BaseUrl = baseUrl;
        DataDirectory = dataDirectory;
        ConnectionString = connectionString;
        Http = new HttpClient { BaseAddress = new Uri(baseUrl + "/") };
    }

    public string BaseUrl { get; }

    public string DataDirectory { get; }

    public string ConnectionString { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>A bundle whose one rule has no opinion: tests of the core see verification alone decide.</summary>
    private static readonly Lazy<string> NoOpinionPolicies = new(() =>
    {
        var directory = TempDirectory.Create("no-opinion-policies");
        File.WriteAllText(Path.Combine(directory, "no-opinion.js"), "function rule(facts, config) { return null; }\n");
        return directory;
    });

    /// <summary>
    /// Starts a gateway; pass the same data directory and connection string again to model a restart. <see cref="ConnectionString"/>
    /// is the account it serves as. The checksum DB is
    /// off, the policy bundle has no opinion and no fact source is reached over the network, unless <paramref name="extraArguments"/> sets <c>--Gateway:SumDb</c> or
    /// <c>--Gateway:PolicyDir</c> (later arguments win).
    /// </summary>
    public static Task<GatewayInstance> StartAsync(
        string upstream, string? dataDirectory = null, string? connectionString = null, params string[] extraArguments) =>
        StartAsync(upstream, time: null, dataDirectory, connectionString, extraArguments);

    /// <summary>
    /// As <see cref="StartAsync(string, string?, string?, string[])"/>, with every timer and timestamp of the gateway on
    /// <paramref name="time"/>: a <c>FakeTimeProvider</c> the test advances, so cool-downs, expiries and deadlines lapse when
    /// the test says, not after real seconds.
    /// </summary>
    public static Task<GatewayInstance> StartOnClockAsync(string upstream, TimeProvider time, params string[] extraArguments) =>
        StartAsync(upstream, time, dataDirectory: null, connectionString: null, extraArguments);

    private static async Task<GatewayInstance> StartAsync(
        string upstream, TimeProvider? time, string? dataDirectory, string? connectionString, string[] extraArguments)
    {
        dataDirectory ??= TempDirectory.Create("gateway-data");
        connectionString ??= await TestPostgres.CreateDatabaseAsync();
        var app = GatewayApp.Create(
        [
            "--urls", "http://127.0.0.1:0",
            $"--Gateway:Upstream={upstream}",
            $"--Gateway:DataDir={dataDirectory}",
            $"--Gateway:AdminToken={AdminToken}",
            $"--ConnectionStrings:Audit={connectionString}",
            "--Logging:LogLevel:Default=Warning",
            "--Gateway:SumDb=off",
            $"--Gateway:PolicyDir={NoOpinionPolicies.Value}",
            "--Gateway:VulnDb:Source=off",
            "--Gateway:Index:Url=off",
            "--Gateway:GitHub:ApiUrl=off",
            .. extraArguments,
        ], services =>
        {
            if (time is not null)
            {
                services.AddSingleton(time);
            }
        });
        await app.StartDatabaseAsync(CancellationToken.None);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new GatewayInstance(app, address, dataDirectory, app.Services.GetRequiredService<AuditDatabase>().ConnectionString);
    }

    /// <summary>Starts a gateway on its own embedded PostgreSQL cluster in <paramref name="dataDirectory"/>, as <c>serve</c> does without <c>ConnectionStrings:Audit</c>.</summary>
    public static Task<GatewayInstance> StartEmbeddedAsync(string upstream, string dataDirectory) =>
        StartAsync(upstream, dataDirectory, connectionString: "");

    /// <summary>
    /// Waits until every configured fact source has synced once (<c>/readyz</c> reports <c>fact-data: Healthy</c>), as an
    /// operator lets a new gateway sync before sending it traffic: until then the default policy holds new versions.
    /// </summary>
    public async Task WaitForFactDataAsync()
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var ready = await Http.GetAsync("readyz");
            var report = await ready.Content.ReadAsStringAsync();
            if (report.Contains("fact-data: Healthy", StringComparison.Ordinal))
            {
                return;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "the fact sources never synced: " + report);
            await Task.Delay(50);
        }
    }

    public static HttpRequestMessage AdminRequest(string path) =>
        new(HttpMethod.Get, path) { Headers = { Authorization = new("Bearer", AdminToken) } };

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
