using System.Diagnostics;
using System.Diagnostics.Metrics;
using SecureGateway.Admission;
using SecureGateway.Data.Decisions;
using SecureGateway.Modules;
using SecureGateway.Policy;

namespace SecureGateway.Observability;

/// <summary>The steps of an admission; each is a histogram series and a child span.</summary>
internal enum AdmissionStep
{
    /// <summary>The version's cross-process lock, with its latest decision, any revoked range, the facts' stored data (vulnerabilities, index mirror, freshness) and the checksum DB's fork alarm and trusted head read under it.</summary>
    Claim,

    /// <summary>.info, .mod and .zip from upstream into staging.</summary>
    Fetch,

    /// <summary>Zip rules and the h1 hashes, computed in one pass over the zip.</summary>
    Verify,

    /// <summary>Checksum-DB lookup, head consistency and record inclusion proofs (tile fetches included); runs while the files are fetched.</summary>
    ChecksumDb,

    /// <summary>Licence files in the zip classified against the SPDX texts; runs while the checksum DB answers.</summary>
    Licences,

    /// <summary>Facts for the policy not read with the claim: the index's catch-up, the repository, when first seen; runs while the files are fetched, once the .info arrived.</summary>
    Facts,

    /// <summary>The policy bundle's rules.</summary>
    Policy,

    /// <summary>The decision written to the audit database under its lock.</summary>
    Record,

    /// <summary>Staged files moved into the cache or quarantine.</summary>
    Commit,
}

/// <summary>
/// One admission as measured: a span <c>admission</c> with a child span per <see cref="AdmissionStep"/>, and the same
/// durations in <c>securegateway.admission.step.duration</c>, so a slow admission reads the same in a trace and on a
/// dashboard. The outcome is counted once the run ends, with the rule or stage that decided it.
/// </summary>
internal sealed class AdmissionRun : IDisposable
{
    /// <summary>The <c>rule</c> tag when nothing refused: the version was admitted, or nothing was decided.</summary>
    public const string NoRule = "none";

    private static readonly Counter<long> Admissions = GatewayTelemetry.Meter.CreateCounter<long>(
        "securegateway.admissions", "{admission}",
        "Admission runs by outcome (admitted, quarantined, denied, or why nothing was decided) and the rule or stage that refused");

    private static readonly Histogram<double> Duration = GatewayTelemetry.Meter.CreateHistogram(
        "securegateway.admission.duration", "s", "Whole admission runs, by outcome", advice: GatewayTelemetry.SecondsBuckets);

    private static readonly Histogram<double> StepDuration = GatewayTelemetry.Meter.CreateHistogram(
        "securegateway.admission.step.duration", "s", "Admission steps (claim, fetch, verify, checksum_db, licences, facts, policy, record, commit); checksum_db and facts overlap fetch and verify, licences overlaps checksum_db",
        advice: GatewayTelemetry.SecondsBuckets);

    private static readonly Counter<long> PolicyErrors = GatewayTelemetry.Meter.CreateCounter<long>(
        "securegateway.policy.errors", "{error}", "Rules that threw, looped, exceeded a limit or returned garbage, by rule");

    private static readonly string[] StepNames = ["claim", "fetch", "verify", "checksum_db", "licences", "facts", "policy", "record", "commit"];
    private static readonly string[] SpanNames = [.. StepNames.Select(step => "admission." + step)];
    private static readonly KeyValuePair<string, object?>[][] StepTags = [.. StepNames.Select(step => GatewayTelemetry.Tag("step", step))];

    private readonly Activity? activity;
    private readonly long started = Stopwatch.GetTimestamp();
    private DecisionOutcome? recorded;
    private string rule = NoRule;

    private AdmissionRun(Activity? activity) => this.activity = activity;

    public static AdmissionRun Start(ModuleVersion module)
    {
        var activity = GatewayTelemetry.Source.StartActivity("admission");
        activity?.SetTag("module.path", module.Path);
        activity?.SetTag("module.version", module.Version);
        return new AdmissionRun(activity);
    }

    /// <summary>Times one step until disposed; its span is the run's child whatever the ambient activity is.</summary>
    public StepTimer Step(AdmissionStep step) =>
        new(step, GatewayTelemetry.Source.StartActivity(SpanNames[(int)step], ActivityKind.Internal, activity?.Context ?? default));

    /// <summary>The rule (a policy rule's name) or stage (<c>zip_rules</c>, <c>checksum_db</c>…) that refused the version.</summary>
    public void RefusedBy(string refusing) => rule = refusing;

    /// <summary>Counts the bundle's policy errors and names the first rule behind a deny or quarantine.</summary>
    public void PolicyEvaluated(PolicyDecision decision)
    {
        foreach (var error in decision.Rules.Where(r => r.IsPolicyError))
        {
            PolicyErrors.Add(1, new KeyValuePair<string, object?>("rule", error.Rule));
        }

        if (decision.Verdict is PolicyVerdict.Deny or PolicyVerdict.Quarantine)
        {
            RefusedBy(decision.Rules.First(r => r.Verdict == decision.Verdict).Rule);
        }
    }

    public void Recorded(DecisionOutcome outcome) => recorded = outcome;

    public void Finish(AdmissionResult result)
    {
        var outcome = recorded switch
        {
            DecisionOutcome.Admitted => "admitted",
            DecisionOutcome.Quarantined => "quarantined",
            DecisionOutcome.Denied => "denied",
            _ => result.Status switch
            {
                AdmissionStatus.Admitted => "admitted",
                AdmissionStatus.Refused => "refused",
                AdmissionStatus.NotFound => "not_found",
                AdmissionStatus.UpstreamFailed => "upstream_failed",
                AdmissionStatus.UpstreamTimedOut => "upstream_timed_out",
                _ => "unavailable",
            },
        };
        var tags = new TagList { { "outcome", outcome }, { "rule", rule } };
        Admissions.Add(1, tags);
        Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
        activity?.SetTag("admission.outcome", outcome);
        activity?.SetTag("admission.rule", rule);
        if (result.Status is not (AdmissionStatus.Admitted or AdmissionStatus.Refused or AdmissionStatus.NotFound))
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.Message);
        }
    }

    public void Dispose() => activity?.Dispose();

    /// <summary>Ends at its first <see cref="Dispose"/>: a step may be ended early and still be disposed by its scope.</summary>
    public sealed class StepTimer(AdmissionStep step, Activity? activity) : IDisposable
    {
        private readonly long started = Stopwatch.GetTimestamp();
        private int ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref ended, 1) == 0)
            {
                StepDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, StepTags[(int)step]);
                activity?.Dispose();
            }
        }
    }
}
