using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using SecureGateway.Coordination;
using SecureGateway.Data;
using SecureGateway.Facts;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Facts;

/// <summary>
/// The fact sources as the gateway registers them (<see cref="FactSourcesExtensions.AddFactSources"/>), on a fresh, migrated
/// PostgreSQL database. Every source is off unless <c>settings</c> turns it on.
/// </summary>
internal sealed class FactsHarness : IAsyncDisposable
{
    private readonly ServiceProvider provider;
    private readonly string connectionString;

    private FactsHarness(ServiceProvider provider, string connectionString)
    {
        this.provider = provider;
        this.connectionString = connectionString;
    }

    public IServiceProvider Services => provider;

    public static async Task<FactsHarness> CreateAsync(IDictionary<string, string?> settings, TimeProvider? time = null, ILoggerProvider? logs = null)
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        await using (var db = NewContext(connectionString))
        {
            await db.Database.MigrateAsync();
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Gateway:VulnDb:Source"] = "off",
                ["Gateway:Index:Url"] = "off",
                ["Gateway:GitHub:ApiUrl"] = "off",
            })
            .AddInMemoryCollection(settings)
            .Build();
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Information);
            if (logs is not null)
            {
                logging.AddProvider(logs);
            }
        });
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddDbContextFactory<AuditDbContext>(options => options.UseAuditDatabase(connectionString));
        services.AddFactSources(configuration);
        return new FactsHarness(services.BuildServiceProvider(), connectionString);
    }

    public T Get<T>()
        where T : notnull => provider.GetRequiredService<T>();

    public IEnumerable<IHostedService> HostedServices => provider.GetServices<IHostedService>();

    public AuditDbContext Database() => NewContext(connectionString);

    /// <summary>Runs <paramref name="reads"/> in one batch, one round trip, as an admission's claim runs them.</summary>
    public async Task ReadAsync(params BatchedRead[] reads)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await BatchedRead.RunAsync(connection, first: null, reads, CancellationToken.None);
    }

    public async ValueTask DisposeAsync() => await provider.DisposeAsync();

    private static AuditDbContext NewContext(string connectionString)
    {
        var options = new DbContextOptionsBuilder<AuditDbContext>();
        options.UseAuditDatabase(connectionString);
        return new AuditDbContext(options.Options);
    }
}
