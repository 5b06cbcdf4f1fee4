using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SecureGateway.Facts;

namespace SecureGateway.Tests.Facts;

public sealed class FactSourcesExtensionsTests
{
    [Theory]
    [InlineData("Gateway:VulnDb:Source", "ftp://mirror/vulndb", "Gateway:VulnDb:Source ftp://mirror/vulndb: use an https:// or file:// URL, a directory, or off")]
    [InlineData("Gateway:Index:Url", "index.golang.org", "Gateway:Index:Url index.golang.org: use an https:// URL, or off")]
    [InlineData("Gateway:GitHub:ApiUrl", "file:///github", "Gateway:GitHub:ApiUrl file:///github: use an https:// URL, or off")]
    [InlineData("Gateway:VulnDb:Interval", "00:00:00", "Gateway:VulnDb:Interval 00:00:00: use a positive time span, e.g. 01:00:00")]
    [InlineData("Gateway:Index:PageSize", "5000", "Gateway:Index:PageSize 5000: use 1 to 2000")]
    public void AddFactSources_UnusableSetting_OneLineNamingIt(string key, string value, string message)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddFactSources(configuration));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void AddFactSources_NothingConfigured_PublicSourcesMaliciousPackagesOffAndThreeBackgroundSyncs()
    {
        var configuration = new ConfigurationBuilder().Build();
        using var provider = new ServiceCollection().AddLogging().AddFactSources(configuration).BuildServiceProvider();

        var vulnDb = provider.GetRequiredService<IOptions<VulnDbOptions>>().Value;
        var index = provider.GetRequiredService<IOptions<ModuleIndexOptions>>().Value;
        var github = provider.GetRequiredService<IOptions<GitHubOptions>>().Value;
        var malicious = provider.GetRequiredService<IOptions<MaliciousPackagesOptions>>().Value;
        Assert.Equal(("off", TimeSpan.FromMinutes(15)), (malicious.Source, malicious.Interval));
        Assert.Equal(("https://vuln.go.dev", TimeSpan.FromHours(1)), (vulnDb.Source, vulnDb.Interval));
        Assert.Equal(("https://index.golang.org", TimeSpan.FromDays(30), TimeSpan.FromMinutes(5), 2000), (index.Url, index.Window, index.Interval, index.PageSize));
        Assert.Equal(("https://api.github.com/", (string?)null, TimeSpan.FromHours(24)), (github.ApiUrl, github.Token, github.Ttl));
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.Equal(3, provider.GetServices<IHostedService>().Count());
    }

    [Fact]
    public async Task HostedServices_Started_SyncTheVulnerabilityDatabaseAtOnce()
    {
        var layout = new VulnDbLayout();
        await using var server = await layout.ServeAsync();
        var logs = new SignalingLoggerProvider("Vulnerability database: synced");
        await using var facts = await FactsHarness.CreateAsync(new Dictionary<string, string?> { ["Gateway:VulnDb:Source"] = server.Url }, logs: logs);
        var hosted = facts.HostedServices.ToList();

        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        var line = await logs.Seen.WaitAsync(TimeSpan.FromSeconds(60));
        foreach (var service in hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }

        Assert.Equal($"Vulnerability database: synced 2 entries (2 new, 0 updated) from {server.Url}", line);
        Assert.Contains("Module index: off", logs.Lines);
        Assert.Equal(2, (await facts.Get<VulnerabilityDatabase>().FindAsync("github.com/beego/beego/v2", "v2.0.0", CancellationToken.None)).Count
            + (await facts.Get<VulnerabilityDatabase>().FindAsync("golang.org/x/crypto", "v0.0.0-20190308221718-c2843e01d9a2", CancellationToken.None)).Count);
    }

    /// <summary>Keeps every log line, and completes <see cref="Seen"/> with the first that contains the fragment.</summary>
    private sealed class SignalingLoggerProvider(string fragment) : ILoggerProvider
    {
        private readonly string fragment = fragment;
        private readonly TaskCompletionSource<string> seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> lines = new();

        public Task<string> Seen => seen.Task;

        public IReadOnlyList<string> Lines => [.. lines];

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(SignalingLoggerProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var line = formatter(state, exception);
                provider.lines.Enqueue(line);
                if (line.Contains(provider.fragment, StringComparison.Ordinal))
                {
                    provider.seen.TrySetResult(line);
                }
            }
        }
    }
}
