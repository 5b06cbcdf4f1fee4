using SecureGateway.Protocol;
using SecureGateway.Tests.Facts;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Tests.Ledger;
using SecureGateway.Upstream;

namespace SecureGateway.Tests.Protocol;

/// <summary>The upstream's list answers kept for the cache time, refreshed once in the background, kept while upstream is down.</summary>
public sealed class UpstreamListCacheTests
{
    private const string Module = "example.com/m";
    private static readonly TimeSpan CacheTime = TimeSpan.FromSeconds(60);

    private readonly ManualTimeProvider time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly FakeUpstream upstream = new();

    [Fact]
    public async Task Get_ConcurrentMisses_OneUpstreamFetch()
    {
        var cache = Cache();
        var release = upstream.Hold();

        var answers = Enumerable.Range(0, 20).Select(_ => cache.GetAsync(Module, VersionQueries.List, CancellationToken.None)).ToList();
        release.SetResult();

        Assert.All(await Task.WhenAll(answers), answer => Assert.Equal(["v1.0.0"], answer.Versions));
        Assert.Equal(1, upstream.Fetches);
    }

    [Fact]
    public async Task Get_WithinCacheTime_NoUpstreamFetch()
    {
        var cache = Cache();
        await cache.GetAsync(Module, VersionQueries.List, CancellationToken.None);
        upstream.Versions = ["v1.0.0", "v1.1.0"];
        time.Advance(CacheTime - TimeSpan.FromSeconds(1));

        var answer = await cache.GetAsync(Module, VersionQueries.List, CancellationToken.None);

        Assert.Equal(["v1.0.0"], answer.Versions);
        Assert.Equal(1, upstream.Fetches);
    }

    [Fact]
    public async Task Get_PastCacheTime_StaleAnswerServedWhileOneRefreshRuns()
    {
        var cache = Cache();
        await cache.GetAsync(Module, VersionQueries.List, CancellationToken.None);
        upstream.Versions = ["v1.0.0", "v1.1.0"];
        var release = upstream.Hold();
        time.Advance(CacheTime);

        var first = await cache.GetAsync(Module, VersionQueries.List, CancellationToken.None);
        var second = await cache.GetAsync(Module, VersionQueries.List, CancellationToken.None);
        // The refresh starts on the thread pool; the fetch it makes is held, so no later one can join it meanwhile.
        await Eventually.HoldsAsync(() => Task.FromResult(upstream.Fetches >= 2), "the refresh reached the upstream");
        var fetchesWhileRefreshing = upstream.Fetches;
        release.SetResult();

        Assert.Equal(["v1.0.0"], first.Versions);
        Assert.Equal(["v1.0.0"], second.Versions);
        Assert.Equal(2, fetchesWhileRefreshing);
        await RefreshedAsync(cache, ["v1.0.0", "v1.1.0"]);
    }

    [Fact]
    public async Task Get_UpstreamDownAfterCaching_LastAnswerServed()
    {
        var cache = Cache();
        await cache.GetAsync(Module, VersionQueries.List, CancellationToken.None);
        upstream.Status = UpstreamStatus.Failed;
        upstream.Versions = [];
        time.Advance(CacheTime);

        var stale = await cache.GetAsync(Module, VersionQueries.List, CancellationToken.None);
        await upstream.AnsweredAsync(2);
        var afterFailedRefresh = await cache.GetAsync(Module, VersionQueries.List, CancellationToken.None);

        Assert.Equal(["v1.0.0"], stale.Versions);
        Assert.Equal(["v1.0.0"], afterFailedRefresh.Versions);
    }

    [Fact]
    public async Task Get_UpstreamSaysNotFound_NothingKept()
    {
        upstream.Status = UpstreamStatus.NotFound;
        var cache = Cache();

        var answer = await cache.GetAsync(Module, VersionQueries.List, CancellationToken.None);

        Assert.Equal(UpstreamStatus.NotFound, answer.Fetch.Status);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task Get_OverCapacity_LeastRecentlyUsedEvicted()
    {
        var oneAnswer = new UpstreamAnswer(new(UpstreamStatus.Ok, ""), ["v1.0.0"], []).Size;
        var cache = Cache(capacityBytes: 3 * oneAnswer);
        foreach (var module in new[] { "example.com/a", "example.com/b", "example.com/c" })
        {
            await cache.GetAsync(module, VersionQueries.List, CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        await cache.GetAsync("example.com/a", VersionQueries.List, CancellationToken.None);
        await cache.GetAsync("example.com/d", VersionQueries.List, CancellationToken.None);
        await cache.GetAsync("example.com/a", VersionQueries.List, CancellationToken.None);
        await cache.GetAsync("example.com/b", VersionQueries.List, CancellationToken.None);

        Assert.Equal(5, upstream.Fetches);
    }

    [Fact]
    public async Task Get_ZeroCacheTime_AsksEveryTime()
    {
        var cache = Cache(cacheTime: TimeSpan.Zero);

        await cache.GetAsync(Module, VersionQueries.List, CancellationToken.None);
        await cache.GetAsync(Module, VersionQueries.List, CancellationToken.None);

        Assert.Equal(2, upstream.Fetches);
        Assert.Equal("no-cache", cache.CacheControl);
    }

    /// <summary>The background refresh ends after the upstream answered; its answer is what a later request gets.</summary>
    private static Task RefreshedAsync(UpstreamListCache cache, string[] expected) =>
        Eventually.HoldsAsync(async () => (await cache.GetAsync(Module, VersionQueries.List, CancellationToken.None)).Versions.SequenceEqual(expected),
            $"the list is refreshed to {string.Join(' ', expected)}");

    private UpstreamListCache Cache(TimeSpan? cacheTime = null, long capacityBytes = 1 << 20) =>
        new(upstream.FetchAsync, cacheTime ?? CacheTime, capacityBytes, time);

    private sealed class FakeUpstream
    {
        private TaskCompletionSource answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource? held;
        private int fetches;
        private int answeredCount;

        public IReadOnlyList<string> Versions { get; set; } = ["v1.0.0"];

        public UpstreamStatus Status { get; set; } = UpstreamStatus.Ok;

        public int Fetches => Volatile.Read(ref fetches);

        public TaskCompletionSource Hold() => held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes once <paramref name="count"/> fetches have been answered in all.</summary>
        public async Task AnsweredAsync(int count)
        {
            while (true)
            {
                var signal = Volatile.Read(ref answered);
                if (Volatile.Read(ref answeredCount) >= count)
                {
                    return;
                }

                await signal.Task.WaitAsync(TimeSpan.FromSeconds(10));
            }
        }

        public async Task<UpstreamAnswer> FetchAsync(string modulePath, string file, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref fetches);
            if (held is { } release)
            {
                await release.Task;
            }

            var answer = new UpstreamAnswer(new(Status, Status.ToString()), Status == UpstreamStatus.Ok ? Versions : [], []);
            Interlocked.Increment(ref answeredCount);
            Interlocked.Exchange(ref answered, new(TaskCreationOptions.RunContinuationsAsynchronously)).SetResult();
            return answer;
        }
    }
}
