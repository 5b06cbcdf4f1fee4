using System.Collections.Concurrent;
using SecureGateway.Admission;
using SecureGateway.Policy;
using SecureGateway.Upstream;

namespace SecureGateway.Protocol;

/// <summary>An upstream's answer to <c>@v/list</c> or <c>@latest</c>: the versions it names, and the body when it is passed on.</summary>
public sealed record UpstreamAnswer(UpstreamFetch Fetch, IReadOnlyList<string> Versions, byte[] Body)
{
    /// <summary>The last list answer built on this one; it lives and is evicted with it.</summary>
    internal BuiltList? Built { get; set; }

    /// <summary>Roughly what the answer holds in memory: its body and its version strings with their object headers.</summary>
    public long Size => 64 + Body.Length + Versions.Sum(v => 48L + (2L * v.Length));
}

/// <summary>
/// A <c>@v/list</c> answer as sent, with what it was built from: the current decisions as of <see cref="ServingChanges"/>,
/// the live policy bundle (its denylist), and the time until which no refusal among the module's versions lapses.
/// </summary>
internal sealed record BuiltList(long ServingChanges, PolicyBundle? Bundle, DateTimeOffset ValidUntil, byte[] Body);

/// <summary>
/// The upstream's answers to <c>@v/list</c> and <c>@latest</c>, unfiltered, kept for <c>Gateway:ListCacheTime</c>: CI fleets ask
/// for them far more often than modules publish. Past that time the old answer is still served while one background
/// fetch refreshes it, and kept while the upstream is down. Concurrent misses for one module share one fetch. Nothing
/// here decides what is served: callers filter by the current decisions on every answer, so a revocation takes effect
/// at once. Bounded by <c>Gateway:ListCacheBytes</c>; the least recently used answers go first.
/// </summary>
public sealed class UpstreamListCache(
    Func<string, string, CancellationToken, Task<UpstreamAnswer>> fetch, TimeSpan cacheTime, long capacityBytes, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string ModulePath, string File), Entry> entries = new();
    private readonly SingleFlight<UpstreamAnswer> flights = new();
    private readonly Lock sizeLock = new();
    private long size;

    public int Count => entries.Count;

    /// <summary>
    /// For the answers built on this cache: a client may reuse one as long as this cache does; <c>private</c>, because a
    /// shared cache in front would go on naming a version after its revocation.
    /// </summary>
    public string CacheControl { get; } = cacheTime > TimeSpan.Zero ? $"private, max-age={(long)cacheTime.TotalSeconds}" : "no-cache";

    public async Task<UpstreamAnswer> GetAsync(string modulePath, string file, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (entries.TryGetValue((modulePath, file), out var entry))
        {
            entry.LastUsed = now.UtcTicks;
            if (now - entry.CheckedAt >= cacheTime)
            {
                // Upstreams turn every failure into a status, so nothing is left unobserved.
                _ = FetchOnceAsync(modulePath, file);
            }

            return entry.Answer;
        }

        // Shared by every caller, so one caller giving up does not fail the others.
        return await FetchOnceAsync(modulePath, file).WaitAsync(cancellationToken);
    }

    private Task<UpstreamAnswer> FetchOnceAsync(string modulePath, string file) =>
        flights.RunAsync($"{modulePath} {file}", () => FetchAndKeepAsync(modulePath, file));

    private async Task<UpstreamAnswer> FetchAndKeepAsync(string modulePath, string file)
    {
        var answer = await fetch(modulePath, file, CancellationToken.None);
        var key = (modulePath, file);
        lock (sizeLock)
        {
            var checkedAt = time.GetUtcNow();
            if (answer.Fetch.IsOk)
            {
                Keep(key, new Entry(answer, checkedAt));
            }
            else if (answer.Fetch.Status == UpstreamStatus.NotFound)
            {
                Forget(key);
            }
            else if (entries.TryGetValue(key, out var stale))
            {
                // Upstream down: the last answer stands, and is asked for again only after another cache time.
                Keep(key, new Entry(stale.Answer, checkedAt));
            }
        }

        return answer;
    }

    private void Keep((string, string) key, Entry entry)
    {
        if (cacheTime <= TimeSpan.Zero || entry.Size > capacityBytes)
        {
            Forget(key);
            return;
        }

        Forget(key);
        entries[key] = entry;
        size += entry.Size;
        if (size > capacityBytes)
        {
            // Down to three quarters at once, so a full cache sorts its entries once per many answers, not on each.
            foreach (var (oldKey, _) in entries.OrderBy(e => e.Value.LastUsed).ToList())
            {
                if (size <= capacityBytes / 4 * 3)
                {
                    break;
                }

                Forget(oldKey);
            }
        }
    }

    private void Forget((string, string) key)
    {
        if (entries.TryRemove(key, out var removed))
        {
            size -= removed.Size;
        }
    }

    private sealed class Entry(UpstreamAnswer answer, DateTimeOffset checkedAt)
    {
        public UpstreamAnswer Answer { get; } = answer;

        /// <summary>When the upstream was last asked, answering or not.</summary>
        public DateTimeOffset CheckedAt { get; } = checkedAt;

        public long Size { get; } = answer.Size;

        /// <summary>Written by readers without a lock: an approximate order is enough to choose what to evict.</summary>
        public long LastUsed { get; set; } = checkedAt.UtcTicks;
    }
}
