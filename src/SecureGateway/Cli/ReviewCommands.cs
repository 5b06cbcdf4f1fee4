using System.CommandLine;
using SecureGateway.Review;
using SecureGateway.Admission;
using SecureGateway.Audit;
using SecureGateway.Data.Decisions;
using SecureGateway.Modules;

namespace SecureGateway.Cli;

/// <summary>
/// <c>quarantine list | release | deny</c>, <c>revoke</c>, <c>reconsider</c>, <c>reevaluate</c> and <c>doctor</c>, for operators
/// on the box; the actor is the OS user. Running gateways hear every act at once (PostgreSQL NOTIFY).
/// </summary>
internal static class ReviewCommands
{
    private static string Operator => $"{Environment.UserName}@{Environment.MachineName} (cli)";

    public static IEnumerable<Command> Create(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var quarantine = new Command("quarantine", "Review versions held in quarantine.");
        quarantine.Subcommands.Add(List(withDatabase));
        quarantine.Subcommands.Add(Act("release", "Admit a quarantined version (moved into the cache), recorded with your justification.", withDatabase));
        quarantine.Subcommands.Add(Act("deny", "Deny a quarantined version for good, recorded with your justification.", withDatabase));
        yield return quarantine;
        yield return Revoke(withDatabase);
        yield return Reconsider(withDatabase);
        yield return Reevaluate(withDatabase);
        yield return Doctor(withDatabase);
    }

    private static Command Revoke(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var module = new Option<string>("--module") { Description = "Module path.", Required = true };
        var version = new Option<string>("--version") { Description = "One version (revoked even if never seen: a pre-emptive block)." };
        var range = new Option<string>("--range") { Description = "Every known version in a range instead, e.g. \"<v1.2.4\" or \">=v1.0.0 <v1.2.4\"." };
        var justification = new Option<string>("--justification") { Description = "Why (required, recorded, shown to go users).", Required = true };
        var command = new Command("revoke", "Deny a version (or a range) in any state at once; prints who already pulled it.") { module, version, range, justification };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => withDatabase([.. parse.UnmatchedTokens], async (app, ct) =>
        {
            var result = await app.Services.GetRequiredService<Revocation>().RevokeAsync(
                parse.GetValue(module)!, parse.GetValue(version), parse.GetValue(range), Operator, parse.GetValue(justification), ct);
            if (result.Status != ReviewStatus.Done)
            {
                Console.Error.WriteLine(result.Message);
                return 1;
            }

            foreach (var revoked in result.Versions)
            {
                var pulled = revoked.Consumers.Count == 0 ? "no client had pulled it" : $"pulled by {string.Join(", ", revoked.Consumers.Select(c => c.Client))}";
                Console.WriteLine($"{parse.GetValue(module)}@{revoked.Version}: was {revoked.Was}, denied (decision {revoked.DecisionId}); {pulled}");
            }

            Console.WriteLine(result.Message);
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Reconsider(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var module = new Option<string>("--module") { Description = "Module path.", Required = true };
        var version = new Option<string>("--version") { Description = "Version.", Required = true };
        var justification = new Option<string>("--justification") { Description = "Why (required, recorded).", Required = true };
        var command = new Command("reconsider", "Have a version decided afresh on its next request (recorded).") { module, version, justification };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => withDatabase([.. parse.UnmatchedTokens], async (app, ct) =>
        {
            var (path, v) = (parse.GetValue(module)!, parse.GetValue(version)!);
            if (ModuleVersions.Check(path, v) is { } error)
            {
                Console.Error.WriteLine(error);
                return 1;
            }

            var result = await app.Services.GetRequiredService<Reconsideration>().ReconsiderAsync(new ModuleVersion(path, v), Operator, parse.GetValue(justification), ct);
            (result.Status == ReviewStatus.Done ? Console.Out : Console.Error).WriteLine(result.Message);
            return result.Status == ReviewStatus.Done ? 0 : 1;
        }, cancellationToken));
        return command;
    }

    private static Command Doctor(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var command = new Command("doctor", "Put every version's files where its current decision says (cache, quarantine, held); report what was found and done.");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => withDatabase([.. parse.UnmatchedTokens], async (app, ct) =>
        {
            var report = await app.Services.GetRequiredService<StorageRepair>().RunAsync(Operator, ct);
            foreach (var line in report.Moved.Select(m => $"moved {m}")
                .Concat(report.AdmittedWithoutFiles.Select(m => $"admitted, no files here (fetched again on request): {m}"))
                .Concat(report.LeftoversRemoved.Select(l => $"removed staging leftover {l}")))
            {
                Console.WriteLine(line);
            }

            Console.WriteLine(report.Summary);
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command List(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var module = new Option<string>("--module") { Description = "Only this module." };
        var rule = new Option<string>("--rule") { Description = "Only those this policy rule (its file name without .js) quarantined." };
        var command = new Command("list", "Versions in quarantine, oldest first, with why.") { module, rule };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => withDatabase([.. parse.UnmatchedTokens], async (app, ct) =>
        {
            var items = await app.Services.GetRequiredService<CurrentDecisions>().WithOutcomeAsync(DecisionOutcome.Quarantined, parse.GetValue(module), parse.GetValue(rule), ct);
            foreach (var item in items)
            {
                Console.WriteLine($"{item.Module}@{item.Version}  since {item.Time:u}  decision {item.Id}");
                foreach (var reason in item.Reasons)
                {
                    Console.WriteLine($"    {reason}");
                }
            }

            Console.WriteLine($"{items.Count} in quarantine");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Act(string act, string description, Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var module = new Option<string>("--module") { Description = "Module path.", Required = true };
        var version = new Option<string>("--version") { Description = "Version.", Required = true };
        var justification = new Option<string>("--justification") { Description = "Why (required, recorded).", Required = true };
        var expires = new Option<DateTimeOffset?>("--expires") { Description = "Release only: when the waiver lapses and the version is re-evaluated." };
        var command = new Command(act, description) { module, version, justification };
        if (act == "release")
        {
            command.Options.Add(expires);
        }

        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => withDatabase([.. parse.UnmatchedTokens], async (app, ct) =>
        {
            var review = app.Services.GetRequiredService<QuarantineReview>();
            var target = new ModuleVersion(parse.GetValue(module)!, parse.GetValue(version)!);
            var result = act == "release"
                ? await review.ReleaseAsync(target, Operator, parse.GetValue(justification), parse.GetValue(expires), ct)
                : await review.DenyAsync(target, Operator, parse.GetValue(justification), ct);
            (result.Status == ReviewStatus.Done ? Console.Out : Console.Error).WriteLine(result.Message);
            return result.Status == ReviewStatus.Done ? 0 : 1;
        }, cancellationToken));
        return command;
    }

    private static Command Reevaluate(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var command = new Command("reevaluate", "Run the live policies over every admitted version with current facts; versions that now fail are taken back (recorded).");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => withDatabase([.. parse.UnmatchedTokens], async (app, ct) =>
        {
            var directory = app.Services.GetRequiredService<Policy.LivePolicy>().Directory;
            Policy.PolicyBundle bundle;
            try
            {
                bundle = Policy.PolicyBundle.Load(directory);
            }
            catch (Policy.PolicyBundleException e)
            {
                Console.Error.WriteLine($"policy bundle in {directory} does not load: {string.Join("; ", e.Problems)}");
                return 1;
            }

            var summary = await app.Services.GetRequiredService<Reevaluation>().RunAsync(bundle, Operator, ReevaluationScope.All, new ProgressBar(), ct);
            Console.WriteLine();
            Console.WriteLine($"policy {summary.Revision}: {summary.Evaluated} evaluated, {summary.Changes.Count} changed, {summary.WaiversInForce} waivers in force, {summary.WithoutFacts} without recorded facts");
            foreach (var change in summary.Changes)
            {
                Console.WriteLine($"  {change.Module}@{change.Version}: {change.From} → {change.To} (decision {change.DecisionId}); {string.Join("; ", change.Reasons)}");
            }

            return 0;
        }, cancellationToken));
        return command;
    }

    /// <summary>A one-line bar redrawn in place: <c>[#########           ] 45/100, 2 changed</c>.</summary>
    private sealed class ProgressBar : IProgress<ReevaluationProgress>
    {
        private const int Width = 30;

        public void Report(ReevaluationProgress value)
        {
            var filled = value.Total == 0 ? Width : value.Done * Width / value.Total;
            Console.Write($"\r[{new string('#', filled)}{new string(' ', Width - filled)}] {value.Done}/{value.Total}, {value.Changed} changed");
        }
    }
}
