using SecureGateway.Admission;
using SecureGateway.Audit;
using SecureGateway.Policy;

namespace SecureGateway.Review;

/// <summary>Every few minutes: releases whose waiver lapsed are re-evaluated by the live policies.</summary>
public sealed partial class WaiverExpiry(Reevaluation reevaluation, CurrentDecisions current, LivePolicy policy, TimeProvider time, ILogger<WaiverExpiry> logger)
    : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (policy.Current is { } bundle && await current.AnyLapsedWaiverAsync(time.GetUtcNow(), stoppingToken))
                {
                    var summary = await reevaluation.RunAsync(bundle, AdmissionService.GatewayActor, ReevaluationScope.ExpiredWaivers, null, stoppingToken);
                    LogExpired(summary.Changes.Count);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Expired waivers re-evaluated: {Count} versions decided again")]
    private partial void LogExpired(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Expired waivers could not be re-evaluated; next try in 5 minutes")]
    private partial void LogFailed(Exception exception);
}
