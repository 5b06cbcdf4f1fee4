using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SecureGateway.Facts;

public static class FactSourcesExtensions
{
    /// <summary>
    /// Registers the fact sources (<see cref="VulnerabilityDatabase"/>, <see cref="ModuleIndexFeed"/>,
    /// <see cref="RepositoryFactsSource"/>, <see cref="MaliciousPackages"/>) and their <see cref="FactFreshness"/> with their options from <c>Gateway:VulnDb</c>,
    /// <c>Gateway:Index</c>, <c>Gateway:GitHub</c> and <c>Gateway:MaliciousPackages</c>, and the background syncs of the
    /// vulnerability database, the module index and the malicious packages. Needs an
    /// <c>IDbContextFactory&lt;AuditDbContext&gt;</c>; uses the registered <see cref="TimeProvider"/> (the system clock if none).
    /// </summary>
    /// <exception cref="InvalidOperationException">A setting is unusable (a bad URL, a non-positive interval…); the message names it.</exception>
    public static IServiceCollection AddFactSources(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var vulnDb = Bind<VulnDbOptions>(configuration, VulnDbOptions.Section);
        var index = Bind<ModuleIndexOptions>(configuration, ModuleIndexOptions.Section);
        var github = Bind<GitHubOptions>(configuration, GitHubOptions.Section);
        var malicious = Bind<MaliciousPackagesOptions>(configuration, MaliciousPackagesOptions.Section);
        Validate(vulnDb, index, github);
        Positive(malicious.Interval, $"{MaliciousPackagesOptions.Section}:Interval");
        Positive(malicious.MaxAge, $"{MaliciousPackagesOptions.Section}:MaxAge");
        _ = MaliciousPackages.SourceOf(malicious.Source);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(Options.Create(vulnDb));
        services.AddSingleton(Options.Create(index));
        services.AddSingleton(Options.Create(github));
        services.AddSingleton(Options.Create(malicious));

        services.AddHttpClient(VulnerabilityDatabase.HttpClientName, ConfigureClient(TimeSpan.FromMinutes(2)))
            .ConfigurePrimaryHttpMessageHandler(Decompressing);
        services.AddHttpClient(ModuleIndexFeed.HttpClientName, ConfigureClient(TimeSpan.FromMinutes(1)))
            .ConfigurePrimaryHttpMessageHandler(Decompressing);

        // The archive is large and read as it streams: a generous overall timeout, and no transparent decompression (it is
        // a .tar.gz, decompressed by the reader).
        services.AddHttpClient(MaliciousPackages.HttpClientName, ConfigureClient(TimeSpan.FromMinutes(30)));

        services.AddSingleton<FactFreshness>();
        services.AddSingleton<VulnerabilityDatabase>();
        services.AddSingleton<ModuleIndexFeed>();
        services.AddSingleton<RepositoryFactsSource>();
        services.AddSingleton<MaliciousPackages>();

        AddPeriodicSync<VulnerabilityDatabase>(services, "Vulnerability database", vulnDb.Source, vulnDb.Interval, async (source, ct) => (await source.SyncAsync(ct)).Summary);
        AddPeriodicSync<ModuleIndexFeed>(services, "Module index", index.Url, index.Interval, async (source, ct) => (await source.SyncAsync(ct)).Summary);
        AddPeriodicSync<MaliciousPackages>(services, "Malicious packages", malicious.Source, malicious.Interval, async (source, ct) => (await source.SyncAsync(ct)).Summary);
        return services;
    }

    private static void AddPeriodicSync<TSource>(
        IServiceCollection services, string name, string? setting, TimeSpan interval, Func<TSource, CancellationToken, Task<string>> sync)
        where TSource : notnull =>
        // Not AddHostedService: it keeps only the first of several registrations of one type.
        services.AddSingleton<IHostedService>(provider => new PeriodicSync(
            name,
            !FactSourceSettings.IsOff(setting),
            interval,
            ct => sync(provider.GetRequiredService<TSource>(), ct),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<PeriodicSync>>()));

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : new()
    {
        try
        {
            return configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{section}: {e.Message}", e);
        }
    }

    private static void Validate(VulnDbOptions vulnDb, ModuleIndexOptions index, GitHubOptions github)
    {
        Positive(vulnDb.Interval, $"{VulnDbOptions.Section}:Interval");
        Positive(vulnDb.MaxAge, $"{VulnDbOptions.Section}:MaxAge");
        Positive(index.MaxAge, $"{ModuleIndexOptions.Section}:MaxAge");
        Positive(index.Interval, $"{ModuleIndexOptions.Section}:Interval");
        Positive(index.Window, $"{ModuleIndexOptions.Section}:Window");
        Positive(github.Ttl, $"{GitHubOptions.Section}:Ttl");
        if (index.PageSize is < 1 or > 2000)
        {
            throw new InvalidOperationException($"{ModuleIndexOptions.Section}:PageSize {index.PageSize}: use 1 to 2000");
        }

        // The same checks the sources make when they are created, made at start so that a typo is one clear line.
        _ = VulnDbSource.Create(vulnDb.Source, () => throw new InvalidOperationException());
        _ = FactSourceSettings.HttpUrl(index.Url, $"{ModuleIndexOptions.Section}:Url");
        _ = FactSourceSettings.HttpUrl(github.ApiUrl, $"{GitHubOptions.Section}:ApiUrl");
    }

    private static void Positive(TimeSpan value, string key)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{key} {value}: use a positive time span, e.g. 01:00:00");
        }
    }

    private static Action<HttpClient> ConfigureClient(TimeSpan timeout) => client =>
    {
        client.Timeout = timeout;
        client.DefaultRequestHeaders.UserAgent.ParseAdd("SecureGateway/1.0");
    };

    private static SocketsHttpHandler Decompressing() => new() { AutomaticDecompression = DecompressionMethods.All };
}
