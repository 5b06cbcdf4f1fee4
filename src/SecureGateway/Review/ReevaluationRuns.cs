using SecureGateway.Policy;

namespace SecureGateway.Review;

/// <summary>The admin API's re-evaluation: one run at a time, in the background, its progress and summary readable.</summary>
public sealed class ReevaluationRuns(Reevaluation reevaluation, LivePolicy policy, IHostApplicationLifetime lifetime)
{
    private readonly Lock gate = new();
    private ReevaluationStatus status = new("idle", null, null, null, null);

    public ReevaluationStatus Status
    {
        get
        {
            lock (gate)
            {
                return status;
            }
        }
    }

    /// <summary>False while a run is going on, or when no policy bundle is live (the status then says why).</summary>
    public bool TryStart(string actor)
    {
        PolicyBundle? bundle;
        lock (gate)
        {
            if (status.State == "running")
            {
                return false;
            }

            bundle = policy.Current;
            if (bundle is null)
            {
                status = new("failed", actor, null, null, $"no valid policy bundle in {policy.Directory}: {policy.Problem}");
                return false;
            }

            status = new("running", actor, new ReevaluationProgress(0, 0, 0), null, null);
        }

        var progress = new Progress<ReevaluationProgress>(p => Update(s => s with { Progress = p }));
        _ = Task.Run(async () =>
        {
            try
            {
                var summary = await reevaluation.RunAsync(bundle, actor, ReevaluationScope.All, progress, lifetime.ApplicationStopping);
                Update(s => s with { State = "done", Summary = summary });
            }
            catch (Exception e)
            {
                Update(s => s with { State = "failed", Error = e.Message });
            }
        });
        return true;
    }

    private void Update(Func<ReevaluationStatus, ReevaluationStatus> change)
    {
        lock (gate)
        {
            status = change(status);
        }
    }
}

public sealed record ReevaluationStatus(string State, string? Actor, ReevaluationProgress? Progress, ReevaluationSummary? Summary, string? Error);
