using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SecureGateway.Tests.Review;

/// <summary>
/// Decisions are recorded first and files moved second, so a process killed in between leaves files behind its
/// decisions: the repair at the next start must put every version exactly where its current decision says, and what
/// is served must follow the decisions. A real gateway process is SIGKILLed in the middle of admissions, releases,
/// denials, revocations and reconsiderations, again and again, on one data folder and one database.
/// </summary>
public sealed class CrashConsistencyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Rounds = 6;
    private const int Workers = 16;
    private const int MaxKillDelayMilliseconds = 400;
    private static readonly DateTimeOffset LongAgo = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] ModulePaths = ["example.com/crash/alpha", "example.com/crash/beta", "example.com/crash/gamma", "example.com/crash/delta"];
    private static readonly string[] VersionNames = ["v1.0.0", "v1.1.0", "v1.2.0"];
    private static readonly string[] ArtefactFiles = ["info", "mod", "zip"];

    private readonly GoProxyLayout layout = new(TempDirectory.Create("upstream"));
    private readonly List<UpstreamVersion> versions = [];
    private StaticGoProxyServer upstream = null!;

    public Task InitializeAsync()
    {
        var licence = File.ReadAllText("/usr/share/common-licenses/Apache-2.0");
        foreach (var (module, m) in ModulePaths.Select((module, m) => (module, m)))
        {
            foreach (var (version, v) in VersionNames.Select((version, v) => (version, v)))
            {
                // Half carry a licence (admitted by the shipped policies), half none (quarantined for review).
                var licensed = (m + v) % 2 == 0;
                (string, string)[] files = licensed
                    ? [("go.mod", $"module {module}\n"), ("a.go", $"package a // {version}\n"), ("LICENSE", licence)]
                    : [("go.mod", $"module {module}\n"), ("a.go", $"package a // {version}\n")];
                layout.AddVersion(module, version, $"module {module}\n", GoProxyLayout.ModuleFiles(module, version, files), LongAgo);
                versions.Add(new UpstreamVersion(module, version, File.ReadAllBytes(layout.FilePath(module, version, "zip"))));
            }
        }

        upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await upstream.DisposeAsync();

    [Fact]
    public async Task KilledAtRandomDuringReviewActs_AfterEveryRestart_StorageMatchesCurrentDecisionsAndServingFollowsThem()
    {
        var seed = Environment.GetEnvironmentVariable("CRASH_SEED") is { } fixedSeed
            ? int.Parse(fixedSeed, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        var random = new Random(seed);
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var dataDirectory = TempDirectory.Create("gateway-data");
        var policies = Repository.CopyOfPolicies();
        var outcomesSeen = new HashSet<string>(StringComparer.Ordinal);
        var answers = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        long lastRepair = 0;
        output.WriteLine($"seed {seed}");

        var gateway = await GatewayProcess.StartAsync(upstream.Url, dataDirectory, connectionString, policies);
        try
        {
            for (var round = 1; round <= Rounds; round++)
            {
                var delay = random.Next(MaxKillDelayMilliseconds + 1);
                using var burstOver = new CancellationTokenSource();
                var answered = answers.Values.Sum();
                var burst = Enumerable.Range(0, Workers).Select(_ => FireAsync(gateway, new Random(random.Next()), answers, burstOver.Token)).ToList();

                // The delay runs from when the burst got going (each worker answered once, on average): a loaded machine
                // must not kill every round before any act was done, which would leave the rounds vacuous.
                await Eventually.HoldsAsync(() => Task.FromResult(answers.Values.Sum() >= answered + Workers), $"round {round}'s burst is answered");
                await Task.Delay(delay);
                await gateway.KillAsync();
                await burstOver.CancelAsync();
                await Task.WhenAll(burst);
                await gateway.DisposeAsync();

                var restart = Stopwatch.StartNew();
                gateway = await GatewayProcess.StartAsync(upstream.Url, dataDirectory, connectionString, policies);
                var context = $"seed {seed} (set CRASH_SEED to repeat), round {round}, killed {delay} ms into the burst";
                output.WriteLine($"round {round}: killed {delay} ms into the burst, ready again after {restart.ElapsedMilliseconds} ms");
                lastRepair = await ReportRepairAsync(gateway, lastRepair);
                await AssertStorageMatchesDecisionsAsync(gateway, context);
                outcomesSeen.UnionWith(await AssertServedAsDecidedAsync(gateway, context));
                await AssertStorageMatchesDecisionsAsync(gateway, context + ", after every version was requested");
                output.WriteLine($"  checked after {restart.ElapsedMilliseconds} ms");
            }

            var exitCode = await gateway.StopAsync();

            Assert.Equal(0, exitCode);
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(dataDirectory, "tmp")));
            output.WriteLine($"answered: {string.Join(", ", answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} {a.Value}"))}");
            Assert.True(answers.Values.Sum() >= Rounds, $"seed {seed}: only {answers.Values.Sum()} requests answered before the kills");
            Assert.DoesNotContain(answers.Keys, answer => answer.EndsWith(" 500", StringComparison.Ordinal));
            // Not vacuous: the bursts drove versions through every state.
            Assert.Superset(new HashSet<string>(["admitted", "quarantined", "denied"]), outcomesSeen);
        }
        finally
        {
            await gateway.DisposeAsync();
        }
    }

    /// <summary>One client of the burst: random requests and review acts, one after another, until the process dies; counts the answers.</summary>
    private async Task FireAsync(GatewayProcess gateway, Random random, ConcurrentDictionary<string, int> answers, CancellationToken burstOver)
    {
        try
        {
            while (!burstOver.IsCancellationRequested)
            {
                var target = versions[random.Next(versions.Count)];
                var subject = new { module = target.Module, version = target.Name, justification = "crash test" };
                var (act, request) = random.Next(10) switch
                {
                    < 4 => ("zip", gateway.Http.GetAsync(Artefact(target, "zip"), burstOver)),
                    4 => ("mod", gateway.Http.GetAsync(Artefact(target, "mod"), burstOver)),
                    5 or 6 => ("release", gateway.PostAdminAsync("admin/quarantine/release", subject, burstOver)),
                    7 => ("deny", gateway.PostAdminAsync("admin/quarantine/deny", subject, burstOver)),
                    8 => ("revoke", gateway.PostAdminAsync("admin/revoke", subject, burstOver)),
                    _ => ("reconsider", gateway.PostAdminAsync("admin/reconsider", subject, burstOver)),
                };
                using var response = await request;
                answers.AddOrUpdate($"{act} {(int)response.StatusCode}", 1, (_, count) => count + 1);
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            // The process was killed under this request.
        }
    }

    /// <summary>Writes what the repair at start moved, if it moved anything (it records an audit event then); returns the newest such event's id.</summary>
    private async Task<long> ReportRepairAsync(GatewayProcess gateway, long lastSeen)
    {
        using var response = await gateway.Http.SendAsync(GatewayProcess.AdminRequest(HttpMethod.Get, "admin/audit/events?kind=storage-repair&limit=1"));
        response.EnsureSuccessStatusCode();
        var repair = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().FirstOrDefault();
        if (repair.ValueKind == JsonValueKind.Object && repair.GetProperty("id").GetInt64() > lastSeen)
        {
            output.WriteLine($"  repaired: {repair.GetProperty("summary").GetString()}\n  {repair.GetProperty("evidence").GetString()?.Replace("\n", "\n  ", StringComparison.Ordinal)}");
            return repair.GetProperty("id").GetInt64();
        }

        return lastSeen;
    }

    /// <summary>
    /// cache/ holds exactly admitted versions, quarantine/ exactly quarantined ones, never one version in both, with the
    /// files upstream served; held/ only complete copies of versions some decision refused; tmp/ holds nothing of dead
    /// processes (only the live process's own, locked, folder).
    /// </summary>
    private async Task AssertStorageMatchesDecisionsAsync(GatewayProcess gateway, string context)
    {
        var current = await CurrentOutcomesAsync(gateway);
        var cached = StoredVersions(gateway, "cache");
        var quarantined = StoredVersions(gateway, "quarantine");
        var problems = new List<string>();
        foreach (var version in cached)
        {
            if (current.GetValueOrDefault(version) != "admitted")
            {
                problems.Add($"{version} is in cache/ but its current decision is {current.GetValueOrDefault(version) ?? "none"}");
            }
            else if (!IsComplete(gateway, "cache", Find(version)))
            {
                problems.Add($"{version} is in cache/ with incomplete or different files");
            }
        }

        problems.AddRange(quarantined.Where(v => current.GetValueOrDefault(v) != "quarantined")
            .Select(v => $"{v} is in quarantine/ but its current decision is {current.GetValueOrDefault(v) ?? "none"}"));
        problems.AddRange(cached.Intersect(quarantined).Select(v => $"{v} is in both cache/ and quarantine/"));

        // held/ is evidence of refusals: complete upstream files of versions some decision refused (later re-admitted or not).
        foreach (var version in StoredVersions(gateway, "held"))
        {
            if (!IsComplete(gateway, "held", Find(version)))
            {
                problems.Add($"{version} is in held/ with incomplete or different files");
            }
            else if ((await gateway.DecisionsAsync($"?module={Find(version).Module}&version={Find(version).Name}&limit=500")).All(d => d.GetProperty("outcome").GetString() == "admitted"))
            {
                problems.Add($"{version} is in held/ but no decision ever refused it");
            }
        }

        var staging = Path.Combine(gateway.DataDirectory, "tmp");
        problems.AddRange(Directory.EnumerateFileSystemEntries(staging)
            .Where(entry => !entry.EndsWith(".lock", StringComparison.Ordinal) && !IsLockedByLiveProcess(entry + ".lock"))
            .Select(entry => $"tmp/{Path.GetFileName(entry)} was left by a dead process"));
        if (Directory.EnumerateDirectories(staging).Count() > 1)
        {
            problems.Add($"tmp/ holds {Directory.EnumerateDirectories(staging).Count()} staging folders; only the live process's may be there");
        }

        Assert.True(problems.Count == 0, $"{context}:\n{string.Join('\n', problems)}\n--- gateway output ---\n{gateway.Output}");
    }

    /// <summary>
    /// Every version answers as its current decision says: admitted → 200 with upstream's bytes, anything else → 403.
    /// A request may decide the version afresh (never decided, or reconsidered), so the decision is read after it.
    /// </summary>
    private async Task<IReadOnlySet<string>> AssertServedAsDecidedAsync(GatewayProcess gateway, string context)
    {
        var outcomes = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var version in versions)
        {
            using var response = await gateway.Http.GetAsync(Artefact(version, "zip"));
            var body = await response.Content.ReadAsByteArrayAsync();
            var outcome = await LatestOutcomeAsync(gateway, version.Module, version.Name) ?? "none";
            outcomes.Add(outcome);
            var (expected, correctBody) = outcome == "admitted"
                ? (HttpStatusCode.OK, body.AsSpan().SequenceEqual(version.Zip))
                : (HttpStatusCode.Forbidden, true);
            if (response.StatusCode != expected || !correctBody)
            {
                var text = response.StatusCode == HttpStatusCode.OK ? $"{body.Length} bytes{(correctBody ? "" : ", not upstream's")}" : System.Text.Encoding.UTF8.GetString(body);
                problems.Add($"{version}: current decision {outcome}, served {(int)response.StatusCode} {text}");
            }
        }

        Assert.True(problems.Count == 0, $"{context}:\n{string.Join('\n', problems)}\n--- gateway output ---\n{gateway.Output}");
        return outcomes;
    }

    private async Task<Dictionary<string, string?>> CurrentOutcomesAsync(GatewayProcess gateway)
    {
        var outcomes = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var version in versions)
        {
            outcomes[version.ToString()] = await LatestOutcomeAsync(gateway, version.Module, version.Name);
        }

        return outcomes;
    }

    private static async Task<string?> LatestOutcomeAsync(GatewayProcess gateway, string module, string version) =>
        (await gateway.DecisionsAsync($"?module={module}&version={version}&limit=1")) is [var latest] ? latest.GetProperty("outcome").GetString() : null;

    /// <summary>Every version directory in a store, as <c>module@version</c> (the test's module paths need no escaping).</summary>
    private static List<string> StoredVersions(GatewayProcess gateway, string store)
    {
        var root = Path.Combine(gateway.DataDirectory, store);
        return Directory.Exists(root)
            ? [.. Directory.EnumerateDirectories(root, "@v", SearchOption.AllDirectories).SelectMany(versionsFolder =>
                Directory.EnumerateDirectories(versionsFolder).Select(directory =>
                    $"{Path.GetRelativePath(root, Path.GetDirectoryName(directory)!)[..^"/@v".Length]}@{Path.GetFileName(directory)}"))]
            : [];
    }

    private UpstreamVersion Find(string moduleAtVersion) => versions.Single(v => v.ToString() == moduleAtVersion);

    private static string Stored(GatewayProcess gateway, string store, UpstreamVersion version, string file) =>
        Path.Combine(gateway.DataDirectory, store, version.Module, "@v", version.Name, file);

    /// <summary>All three files, the zip being the one upstream served.</summary>
    private static bool IsComplete(GatewayProcess gateway, string store, UpstreamVersion version) =>
        ArtefactFiles.All(file => File.Exists(Stored(gateway, store, version, file)))
        && File.ReadAllBytes(Stored(gateway, store, version, "zip")).AsSpan().SequenceEqual(version.Zip);

    private static string Artefact(UpstreamVersion version, string extension) =>
        GoProxyLayout.RequestPath(version.Module, version.Name, extension).TrimStart('/');

    /// <summary>A staging folder's lock is held while its process lives; a lock that can be taken belongs to a dead one.</summary>
    private static bool IsLockedByLiveProcess(string lockFile)
    {
        if (!File.Exists(lockFile))
        {
            return false;
        }

        try
        {
            using var claim = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            return true;
        }
    }

    private sealed record UpstreamVersion(string Module, string Name, byte[] Zip)
    {
        public override string ToString() => $"{Module}@{Name}";
    }
}
