using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SecureGateway.Hosting;

namespace SecureGateway.Ledger;

public static class LedgerServiceCollectionExtensions
{
    /// <summary>Spool directory under <c>Gateway:DataDir</c>.</summary>
    public const string SpoolDirectoryName = "ledger-spool";

    /// <summary>
    /// The download ledger: <see cref="DownloadLedger"/> (call <c>Record</c> for every artefact served), its writer, its spool
    /// in <c>{Gateway:DataDir}/ledger-spool</c>, and <see cref="DownloadConsumers"/> for queries.
    /// </summary>
    public static IServiceCollection AddDownloadLedger(this IServiceCollection services)
    {
        services.TryAddSingleton(new LedgerOptions());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider =>
            new LedgerSpool(Path.Combine(provider.GetRequiredService<IOptions<GatewayOptions>>().Value.DataDir, SpoolDirectoryName)));
        services.AddSingleton(provider => new DownloadLedger(
            provider.GetRequiredService<LedgerOptions>(), provider.GetRequiredService<LedgerSpool>(),
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<DownloadLedger>>()));
        services.AddSingleton(provider => new LedgerDatabase(() => provider.GetRequiredService<AuditDatabase>().ConnectionString));
        services.AddSingleton<DownloadConsumers>();
        services.AddHostedService<LedgerWriter>();
        return services;
    }
}
