using SecureGateway.Policy.Licences;

namespace SecureGateway.Policy;

/// <summary>
/// Loads the SPDX licence corpus in the background as the gateway starts: it takes seconds, and the first admission
/// would otherwise wait for it (an admission arriving meanwhile waits only for what is left).
/// </summary>
internal sealed class LicenceCorpusWarmUp : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Run(() => _ = LicenceDetector.Default, stoppingToken);
}
