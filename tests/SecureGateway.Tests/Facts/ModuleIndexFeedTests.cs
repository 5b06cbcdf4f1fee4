using System.Globalization;
using System.Text.Json;
using System.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using SecureGateway.Facts;

namespace SecureGateway.Tests.Facts;

public sealed class ModuleIndexFeedTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SyncAsync_FirstSync_MirrorsTheWindowPageByPage()
    {
        var feed = new IndexFeed();
        feed.Add("example.com/old", "v1.0.0", Now - TimeSpan.FromDays(40));
        for (var i = 1; i <= 5; i++)
        {
            feed.Add($"example.com/m{i}", $"v1.{i}.0", Now - TimeSpan.FromDays(10 - i));
        }

        await using var server = await feed.ServeAsync();
        var time = new ManualTimeProvider(Now);
        await using var facts = await Harness(server, time, pageSize: 2);

        var result = await facts.Get<ModuleIndexFeed>().SyncAsync(CancellationToken.None);

        // since is inclusive, so each page starts with the previous page's last line.
        Assert.Equal((5, 9, 5), (result.Pages, result.Lines, result.Added));
        Assert.Equal("2026-01-30T12:00:00.000000Z", Since(server.Requests[0]));
        Assert.Equal(feed.TimestampOf("example.com/m2"), Since(server.Requests[1]));
        Assert.All(server.Requests, r => Assert.Contains("limit=2", r, StringComparison.Ordinal));
        await using var db = facts.Database();
        Assert.Equal(["example.com/m1", "example.com/m2", "example.com/m3", "example.com/m4", "example.com/m5"],
            await db.ModuleIndex.OrderBy(e => e.Module).Select(e => e.Module).ToListAsync());
    }

    [Fact]
    public async Task PublishedAsync_MirroredVersion_FeedTimestampToTheMicrosecond()
    {
        var feed = new IndexFeed();
        var published = new DateTimeOffset(2026, 2, 27, 8, 15, 42, TimeSpan.Zero).AddTicks(9_972_640);
        feed.Add("golang.org/x/text", "v0.14.0", published);
        await using var server = await feed.ServeAsync();
        await using var facts = await Harness(server, new ManualTimeProvider(Now));
        var index = facts.Get<ModuleIndexFeed>();
        await index.SyncAsync(CancellationToken.None);

        Assert.Equal(published, await index.PublishedAsync("golang.org/x/text", "v0.14.0", CancellationToken.None));
    }

    [Fact]
    public async Task PublishedRead_InOneRoundTrip_IsWhatTheMirrorHolds()
    {
        // An admission reads the mirror in its claim's round trip.
        var feed = new IndexFeed();
        var published = new DateTimeOffset(2026, 2, 27, 8, 15, 42, TimeSpan.Zero).AddTicks(9_972_640);
        feed.Add("golang.org/x/text", "v0.14.0", published);
        await using var server = await feed.ServeAsync();
        await using var facts = await Harness(server, new ManualTimeProvider(Now));
        await facts.Get<ModuleIndexFeed>().SyncAsync(CancellationToken.None);
        var listed = ModuleIndexFeed.PublishedRead("golang.org/x/text", "v0.14.0");
        var otherVersion = ModuleIndexFeed.PublishedRead("golang.org/x/text", "v0.14.1");
        var otherModule = ModuleIndexFeed.PublishedRead("golang.org/x/tex", "v0.14.0");

        await facts.ReadAsync(listed, otherVersion, otherModule);

        Assert.Equal(published, listed.Result);
        Assert.Null(otherVersion.Result);
        Assert.Null(otherModule.Result);
    }

    [Fact]
    public async Task SyncAsync_Again_ResumesFromNewestMirroredTimestamp()
    {
        var feed = new IndexFeed();
        feed.Add("example.com/a", "v1.0.0", Now - TimeSpan.FromDays(2));
        feed.Add("example.com/b", "v1.0.0", Now - TimeSpan.FromDays(1));
        await using var server = await feed.ServeAsync();
        var time = new ManualTimeProvider(Now);
        await using var facts = await Harness(server, time);
        var index = facts.Get<ModuleIndexFeed>();
        await index.SyncAsync(CancellationToken.None);
        feed.Add("example.com/c", "v0.1.0", Now + TimeSpan.FromMinutes(3));
        time.Advance(TimeSpan.FromMinutes(5));
        server.ClearRequests();

        var result = await index.SyncAsync(CancellationToken.None);

        Assert.Equal(feed.TimestampOf("example.com/b"), Since(Assert.Single(server.Requests)));
        Assert.Equal((1, 2, 1), (result.Pages, result.Lines, result.Added));
        Assert.Equal(feed.TimestampOf("example.com/c"), result.Until);
    }

    [Fact]
    public async Task SyncAsync_VersionListedTwice_KeepsFirstTimestamp()
    {
        var feed = new IndexFeed();
        var first = Now - TimeSpan.FromHours(3);
        feed.Add("example.com/twice", "v1.0.0", first);
        feed.Add("example.com/twice", "v1.0.0", Now - TimeSpan.FromHours(1));
        await using var server = await feed.ServeAsync();
        await using var facts = await Harness(server, new ManualTimeProvider(Now));
        var index = facts.Get<ModuleIndexFeed>();

        var result = await index.SyncAsync(CancellationToken.None);

        Assert.Equal(1, result.Added);
        Assert.Equal(first, await index.PublishedAsync("example.com/twice", "v1.0.0", CancellationToken.None));
    }

    [Fact]
    public async Task SyncAsync_AfterWindowMoves_PrunesOlderEntries()
    {
        var feed = new IndexFeed();
        feed.Add("example.com/older", "v1.0.0", Now - TimeSpan.FromDays(25));
        feed.Add("example.com/newer", "v1.0.0", Now - TimeSpan.FromDays(5));
        await using var server = await feed.ServeAsync();
        var time = new ManualTimeProvider(Now);
        await using var facts = await Harness(server, time);
        var index = facts.Get<ModuleIndexFeed>();
        await index.SyncAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromDays(10));

        var result = await index.SyncAsync(CancellationToken.None);

        Assert.Equal(1, result.Pruned);
        Assert.Null(await index.PublishedAsync("example.com/older", "v1.0.0", CancellationToken.None));
        Assert.NotNull(await index.PublishedAsync("example.com/newer", "v1.0.0", CancellationToken.None));
    }

    [Fact]
    public async Task PublishedAsync_VersionNewerThanMirror_CatchesUpOnceAndFindsIt()
    {
        var feed = new IndexFeed();
        feed.Add("example.com/a", "v1.0.0", Now - TimeSpan.FromDays(1));
        await using var server = await feed.ServeAsync();
        var time = new ManualTimeProvider(Now);
        await using var facts = await Harness(server, time);
        var index = facts.Get<ModuleIndexFeed>();
        await index.SyncAsync(CancellationToken.None);
        var published = Now + TimeSpan.FromSeconds(40);
        feed.Add("example.com/fresh", "v0.0.1", published);
        time.Advance(TimeSpan.FromMinutes(1));
        server.ClearRequests();

        var found = await index.PublishedAsync("example.com/fresh", "v0.0.1", CancellationToken.None);
        var unknown = await index.PublishedAsync("example.com/never", "v0.0.1", CancellationToken.None);

        Assert.Equal(published, found);
        Assert.Null(unknown);
        Assert.Single(server.Requests); // the second miss came within 30 s of the catch-up: no new request
    }

    [Fact]
    public async Task PublishedAsync_FeedFailing_NullNotAnError()
    {
        var feed = new IndexFeed { Status = StatusCodes.Status503ServiceUnavailable };
        await using var server = await feed.ServeAsync();
        await using var facts = await Harness(server, new ManualTimeProvider(Now));
        var index = facts.Get<ModuleIndexFeed>();

        Assert.Null(await index.PublishedAsync("example.com/a", "v1.0.0", CancellationToken.None));
        var error = await Assert.ThrowsAsync<FactSourceException>(() => index.SyncAsync(CancellationToken.None));
        Assert.Contains("answered 503", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskAsync_AfterAFailedSync_UnknownAtOnceWithoutAskingTheFeed()
    {
        var feed = new IndexFeed { Status = StatusCodes.Status503ServiceUnavailable };
        await using var server = await feed.ServeAsync();
        var time = new ManualTimeProvider(Now);
        await using var facts = await Harness(server, time);
        var index = facts.Get<ModuleIndexFeed>();
        await Assert.ThrowsAsync<FactSourceException>(() => index.SyncAsync(CancellationToken.None));
        time.Advance(TimeSpan.FromMinutes(5));
        server.ClearRequests();

        var (published, verdict) = await index.AskAsync("example.com/a", "v1.0.0", published: null, CancellationToken.None);

        Assert.Null(published);
        Assert.Equal(SecureGateway.Policy.IndexVerdict.Unknown, verdict);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task SyncAsync_GarbageLine_ThrowsWithTheLine()
    {
        var feed = new IndexFeed { RawBody = "{\"Path\":\"example.com/a\",\"Version\":\"v1.0.0\"}\n" };
        await using var server = await feed.ServeAsync();
        await using var facts = await Harness(server, new ManualTimeProvider(Now));

        var error = await Assert.ThrowsAsync<FactSourceException>(() => facts.Get<ModuleIndexFeed>().SyncAsync(CancellationToken.None));

        Assert.Contains("not a module index line: {\"Path\":\"example.com/a\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Off_SyncThrowsAndLookupsUseTheTable()
    {
        await using var facts = await FactsHarness.CreateAsync(new Dictionary<string, string?>());
        var index = facts.Get<ModuleIndexFeed>();

        Assert.Null(index.Url);
        Assert.Null(await index.PublishedAsync("example.com/a", "v1.0.0", CancellationToken.None));
        var error = await Assert.ThrowsAsync<FactSourceException>(() => index.SyncAsync(CancellationToken.None));
        Assert.Equal("the module index feed is off (Gateway:Index:Url)", error.Message);
    }

    private static Task<FactsHarness> Harness(LoopbackHttpServer server, TimeProvider time, int pageSize = 2000) =>
        FactsHarness.CreateAsync(
            new Dictionary<string, string?>
            {
                ["Gateway:Index:Url"] = server.Url,
                ["Gateway:Index:PageSize"] = pageSize.ToString(CultureInfo.InvariantCulture),
            },
            time);

    private static string? Since(string requestTarget) => HttpUtility.ParseQueryString(new Uri("http://x" + requestTarget).Query)["since"];

    /// <summary>
    /// index.golang.org's protocol: <c>GET /index?since=RFC3339&amp;limit=N</c> answers the first N versions whose Timestamp
    /// is at or after since, oldest first, one JSON object per line.
    /// </summary>
    private sealed class IndexFeed
    {
        private readonly List<(string Path, string Version, DateTimeOffset Time, string Timestamp)> lines = [];
        private readonly Lock gate = new();

        public int? Status { get; init; }

        public string? RawBody { get; init; }

        public void Add(string path, string version, DateTimeOffset time)
        {
            lock (gate)
            {
                lines.Add((path, version, time, time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)));
            }
        }

        public string TimestampOf(string path)
        {
            lock (gate)
            {
                return lines.First(l => l.Path == path).Timestamp;
            }
        }

        public Task<LoopbackHttpServer> ServeAsync() => LoopbackHttpServer.StartAsync(async context =>
        {
            if (context.Request.Path != "/index")
            {
                context.Response.StatusCode = 404;
                return;
            }

            if (Status is { } status)
            {
                context.Response.StatusCode = status;
                await context.Response.WriteAsync("unavailable\n");
                return;
            }

            if (RawBody is { } raw)
            {
                await context.Response.WriteAsync(raw);
                return;
            }

            var since = DateTimeOffset.Parse(context.Request.Query["since"].ToString(), CultureInfo.InvariantCulture);
            var limit = int.Parse(context.Request.Query["limit"].ToString(), CultureInfo.InvariantCulture);
            List<(string Path, string Version, DateTimeOffset Time, string Timestamp)> page;
            lock (gate)
            {
                page = [.. lines.Where(l => l.Time >= since).OrderBy(l => l.Time).Take(limit)];
            }

            context.Response.ContentType = "text/plain; charset=utf-8";
            foreach (var line in page)
            {
                await context.Response.WriteAsync(JsonSerializer.Serialize(new { line.Path, line.Version, line.Timestamp }) + "\n");
            }
        });
    }
}
