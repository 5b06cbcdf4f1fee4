using System.Collections.Concurrent;
using SecureGateway.Data.Decisions;
using SecureGateway.Modules;

namespace SecureGateway.Admission;

/// <summary>The current (latest) decision of one module version, as the serving path needs it.</summary>
public sealed record CurrentDecision(long Id, DecisionOutcome Outcome, AdmissionResult Answer, string? ZipHash, string? GoModHash, DateTimeOffset? RedecideAfter)
{
    public bool Admits => Outcome == DecisionOutcome.Admitted;

    /// <summary>Whether the next request decides the version afresh (a cool-down passed, or a reviewer asked).</summary>
    public bool IsProvisional(DateTimeOffset now) => RedecideAfter <= now;

    public static CurrentDecision Of(Decision decision) => new(
        decision.Id,
        decision.Outcome,
        decision.Outcome == DecisionOutcome.Admitted ? AdmissionResult.Admitted : AdmissionResult.From(decision),
        decision.ZipHash,
        decision.GoModHash,
        decision.RedecideAfter);
}

/// <summary>
/// The current decision of every module version this process knows of, in memory: the authority on what is served.
/// Filled by <see cref="DecisionFeed"/> (everything at start and after any reconnect, then every decision any process
/// records, announced by PostgreSQL NOTIFY) and by this process's own acts the moment they are recorded. Decisions are
/// append-only and a version's ids only grow, so applying "the higher id wins" in any order converges on the database.
/// </summary>
public sealed class ServingDecisions
{
    // Beyond this many, recorded ids whose announcement never came (the listener was lost) are forgotten.
    private const int MaxUnheardRecords = 10_000;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, CurrentDecision>> modules = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, byte> recordedHere = new();
    private readonly ConcurrentDictionary<TaskCompletionSource, byte> recordings = new();
    private volatile bool loaded;
    private long changes;

    /// <summary>False until the first full load: before it, nothing can be answered from memory.</summary>
    public bool Loaded => loaded;

    /// <summary>
    /// Grows with every decision that becomes current, after it is visible here: an answer built from these decisions
    /// (read after this count) is current as long as the count has not moved.
    /// </summary>
    public long Changes => Interlocked.Read(ref changes);

    public int Count => modules.Values.Sum(versions => versions.Count);

    public CurrentDecision? Of(ModuleVersion module) =>
        modules.TryGetValue(module.Path, out var versions) && versions.TryGetValue(module.Version, out var current) ? current : null;

    /// <summary>The current decisions of <paramref name="modulePath"/>'s versions, by version.</summary>
    public IReadOnlyDictionary<string, CurrentDecision> VersionsOf(string modulePath) =>
        modules.TryGetValue(modulePath, out var versions) ? versions : EmptyVersions;

    public IEnumerable<(ModuleVersion Module, CurrentDecision Decision)> All() =>
        modules.SelectMany(m => m.Value.Select(v => (new ModuleVersion(m.Key, v.Key), v.Value)));

    /// <summary>
    /// Runs <paramref name="record"/> and applies the decision it recorded, if any (<see cref="ApplyRecorded"/>). PostgreSQL
    /// announces a decision on commit, which may reach the feed before the recording returns here:
    /// <see cref="RecordingsUnderWay"/> lets the feed wait for the recording rather than read the decision back.
    /// </summary>
    public async Task<Decision?> RecordAsync(Func<Task<Decision?>> record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        recordings.TryAdd(done, 0);
        try
        {
            if (await record() is not { } recorded)
            {
                return null;
            }

            ApplyRecorded(recorded);
            return recorded;
        }
        finally
        {
            recordings.TryRemove(done, out _);
            done.SetResult();
        }
    }

    /// <summary>Completes when the recordings under way now (<see cref="RecordAsync"/>) have ended.</summary>
    public Task RecordingsUnderWay() => recordings.IsEmpty ? Task.CompletedTask : Task.WhenAll(recordings.Keys.Select(done => done.Task));

    /// <summary>
    /// Applies a decision this process has just recorded, and remembers its id so that its announcement (NOTIFY) need not
    /// be read back from the database: the recording path applied and placed it already.
    /// </summary>
    public bool ApplyRecorded(Decision recorded)
    {
        if (recordedHere.Count >= MaxUnheardRecords)
        {
            recordedHere.Clear();
        }

        recordedHere.TryAdd(recorded.Id, 0);
        return Apply(recorded);
    }

    /// <summary>Whether the announced decision <paramref name="id"/> was recorded (and applied) by this process; asked once per id.</summary>
    public bool WasRecordedHere(long id) => recordedHere.TryRemove(id, out _);

    /// <summary>Takes <paramref name="decision"/> as current unless a later one is already known; true when it became current.</summary>
    public bool Apply(Decision decision) => Apply(new ModuleVersion(decision.Module, decision.Version), CurrentDecision.Of(decision));

    public bool Apply(ModuleVersion module, CurrentDecision decision)
    {
        var versions = modules.GetOrAdd(module.Path, _ => new ConcurrentDictionary<string, CurrentDecision>(StringComparer.Ordinal));
        while (true)
        {
            if (!versions.TryGetValue(module.Version, out var known))
            {
                if (versions.TryAdd(module.Version, decision))
                {
                    Interlocked.Increment(ref changes);
                    return true;
                }
            }
            else if (known.Id >= decision.Id)
            {
                return false;
            }
            else if (versions.TryUpdate(module.Version, decision, known))
            {
                Interlocked.Increment(ref changes);
                return true;
            }
        }
    }

    /// <summary>Marks the first full load done.</summary>
    public void MarkLoaded() => loaded = true;

    private static readonly IReadOnlyDictionary<string, CurrentDecision> EmptyVersions = new Dictionary<string, CurrentDecision>();
}
