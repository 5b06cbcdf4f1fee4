using System.CommandLine;
using Microsoft.Extensions.Options;
using SecureGateway.Audit;
using SecureGateway.Facts;
using SecureGateway.Hosting;
using SecureGateway.Policy;
using SecureGateway.Review;

namespace SecureGateway.Cli;

/// <summary>
/// <c>policy test | eval | impact | bench</c> for policy authors, and <c>vulndb sync</c>. Only <c>vulndb sync</c> may record
/// decisions: re-evaluations of admitted versions its new entries affect.
/// </summary>
internal static class PolicyCommands
{
    public static IEnumerable<Command> Create(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var policy = new Command("policy", "Test, evaluate and compare policy bundles.");
        policy.Subcommands.Add(Test());
        policy.Subcommands.Add(Eval(withDatabase));
        policy.Subcommands.Add(Impact(withDatabase));
        policy.Subcommands.Add(Bench());
        yield return policy;

        var vulndb = new Command("vulndb", "The Go vulnerability database mirror.");
        var sync = new Command("sync", "Fetch new and changed entries from Gateway:VulnDb:Source into the audit database; admitted versions they affect are re-evaluated at once.");
        sync.TreatUnmatchedTokensAsErrors = false;
        sync.SetAction((parse, cancellationToken) => withDatabase([.. parse.UnmatchedTokens], async (app, ct) =>
        {
            var exit = await VulnerabilityDatabase.SyncCommandAsync(app.Services, Console.Out, Console.Error, ct);
            if (app.Services.GetRequiredService<VulnerabilityDatabase>().LastSync is not { ChangedModules.Count: > 0 } synced)
            {
                return exit;
            }

            // Running gateways hear the decisions; they do not see this process's sync (their own finds nothing new).
            var directory = app.Services.GetRequiredService<LivePolicy>().Directory;
            PolicyBundle bundle;
            try
            {
                bundle = PolicyBundle.Load(directory);
            }
            catch (PolicyBundleException e)
            {
                Console.Error.WriteLine($"affected versions not re-evaluated: the policy bundle in {directory} does not load: {string.Join("; ", e.Problems)}");
                return 1;
            }

            var summary = await app.Services.GetRequiredService<LaterKnowledge>().AfterVulnSyncAsync(synced, bundle, ct);
            foreach (var change in summary?.Changes ?? [])
            {
                Console.WriteLine($"  {change.Module}@{change.Version}: {change.From} → {change.To} (decision {change.DecisionId}); {string.Join("; ", change.Reasons)}");
            }

            return exit;
        }, cancellationToken));
        vulndb.Subcommands.Add(sync);
        yield return vulndb;
    }

    private static Option<DirectoryInfo> DirOption(string description) => new("--dir") { Description = description };

    private static Command Test()
    {
        var dir = DirOption("Policy folder (default: Gateway:PolicyDir, i.e. ./policies).");
        var command = new Command("test", "Run the bundle's tests (tests/*.test.js); exit 1 on any failure.") { dir };
        command.SetAction(parse =>
        {
            if (Load(parse.GetValue(dir)?.FullName ?? "policies") is not { } bundle)
            {
                return 1;
            }

            var report = bundle.RunTests();
            foreach (var result in report.Results)
            {
                Console.WriteLine(result.Passed ? $"PASS {result.File} {result.Test}" : $"FAIL {result.File} {result.Test}: {result.Message}");
            }

            Console.WriteLine($"{report.Passed} passed, {report.Failed} failed");
            return report.Failed == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command Eval(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var module = new Option<string>("--module") { Description = "Module path.", Required = true };
        var version = new Option<string>("--version") { Description = "Canonical version.", Required = true };
        var dir = DirOption("Evaluate this bundle instead of the live one.");
        var command = new Command("eval", "The decision a bundle would make on a module version's recorded facts (age brought up to now); records nothing.") { module, version, dir };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => withDatabase([.. parse.UnmatchedTokens], async (app, ct) =>
        {
            if (Load(parse.GetValue(dir)?.FullName ?? app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.PolicyDir) is not { } bundle)
            {
                return 1;
            }

            var (path, v) = (parse.GetValue(module)!, parse.GetValue(version)!);
            var decision = (await app.Services.GetRequiredService<DecisionLog>().LatestWithFactsAsync(ct))
                .FirstOrDefault(d => d.Module == path && d.Version == v);
            if (decision is null || StoredFacts.Of(decision, bundle, TimeProvider.System.GetUtcNow()) is not { } facts)
            {
                Console.Error.WriteLine($"no recorded facts for {path}@{v}: request it through the gateway first");
                return 1;
            }

            var verdict = bundle.Evaluate(facts);
            Console.WriteLine($"{path}@{v}: {Name(verdict.Verdict)} (bundle {bundle.Revision}; recorded: {decision.Outcome.ToString().ToLowerInvariant()}, decision {decision.Id})");
            foreach (var rule in verdict.Rules)
            {
                Console.WriteLine($"  {rule.Rule}: {Name(rule.Verdict)}{(rule.Reason is null ? "" : $" — {rule.Reason}")}");
            }

            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Impact(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var dir = DirOption("The candidate bundle.");
        dir.Required = true;
        var command = new Command("impact", "What a candidate bundle would change for every decided module version; records nothing.") { dir };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => withDatabase([.. parse.UnmatchedTokens], async (app, ct) =>
        {
            if (Load(parse.GetValue(dir)!.FullName) is not { } candidate)
            {
                return 1;
            }

            var impact = await app.Services.GetRequiredService<PolicyImpact>().AssessAsync(candidate, ct);
            Console.WriteLine($"candidate {impact.Revision} against {impact.Decided} decided module versions: {impact.Changes.Count} would change");
            foreach (var group in impact.Changes.GroupBy(c => $"{c.From} → {c.To}").OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                Console.WriteLine($"{group.Key}: {group.Count()}");
                foreach (var change in group)
                {
                    Console.WriteLine($"  {change.Module}@{change.Version}{(change.Reason.Length == 0 ? "" : $" — {change.Reason}")}");
                }
            }

            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Bench()
    {
        var dir = DirOption("Policy folder (default ./policies).");
        var runs = new Option<int>("--runs") { Description = "Evaluations to time.", DefaultValueFactory = _ => 10_000 };
        var command = new Command("bench", "Time evaluations of a bundle on typical facts: p50 and p99 per module version.") { dir, runs };
        command.SetAction(parse =>
        {
            if (Load(parse.GetValue(dir)?.FullName ?? "policies") is not { } bundle)
            {
                return 1;
            }

            var (p50, p99, count) = PolicyBenchmark.Run(bundle, ModuleFacts.Example(TimeProvider.System.GetUtcNow()), parse.GetValue(runs));
            Console.WriteLine($"bundle {bundle.Revision}: {count} evaluations, p50 {p50:0.000} ms, p99 {p99:0.000} ms");
            return 0;
        });
        return command;
    }

    private static PolicyBundle? Load(string directory)
    {
        try
        {
            return PolicyBundle.Load(directory);
        }
        catch (PolicyBundleException e)
        {
            Console.Error.WriteLine($"policy bundle in {directory} does not load:");
            foreach (var problem in e.Problems)
            {
                Console.Error.WriteLine($"  {problem}");
            }

            return null;
        }
    }

    private static string Name(PolicyVerdict verdict) => verdict switch
    {
        PolicyVerdict.None => "no opinion",
        _ => verdict.ToString().ToLowerInvariant(),
    };
}
