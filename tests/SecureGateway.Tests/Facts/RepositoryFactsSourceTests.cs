using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using SecureGateway.Facts;

namespace SecureGateway.Tests.Facts;

public sealed class RepositoryFactsSourceTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task GetAsync_GitHubModule_FactsFromTheApi()
    {
        var github = new GitHubStub();
        await using var server = await github.ServeAsync();
        await using var facts = await Harness(server, new ManualTimeProvider(Now), token: "test-token");

        var result = await facts.Get<RepositoryFactsSource>().GetAsync("github.com/Octo-Org/Old.Lib/v2/sub", CancellationToken.None);

        Assert.Equal(
            new RepositoryFactsResult("Octo-Org", "Old.Lib", true, null, true,
                new DateTimeOffset(2014, 5, 2, 9, 11, 54, TimeSpan.Zero), new DateTimeOffset(2019, 11, 20, 16, 3, 7, TimeSpan.Zero), 1234, "MIT", Now),
            result);
        Assert.Equal(["/repos/Octo-Org/Old.Lib"], server.Requests);
        Assert.Contains("test-token", Assert.Single(github.Authorizations), StringComparison.Ordinal);
        await using var db = facts.Database();
        var row = await db.RepositoryFacts.SingleAsync();
        Assert.Equal(("octo-org/old.lib", true, 1234, "MIT", (string?)null), (row.Repository, row.Archived, row.Stars, row.Licence, row.Error));
    }

    [Theory]
    [InlineData("golang.org/x/net")]
    [InlineData("gitlab.com/owner/repo")]
    [InlineData("github.com/onlyowner")]
    [InlineData("example.com/github.com/owner/repo")]
    public async Task GetAsync_NotAGitHubRepository_NullWithoutRequest(string module)
    {
        var github = new GitHubStub();
        await using var server = await github.ServeAsync();
        await using var facts = await Harness(server, new ManualTimeProvider(Now));

        Assert.Null(await facts.Get<RepositoryFactsSource>().GetAsync(module, CancellationToken.None));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task GetAsync_WithinTtl_FromCacheAcrossPathsAndCase()
    {
        var github = new GitHubStub();
        await using var server = await github.ServeAsync();
        var time = new ManualTimeProvider(Now);
        await using var facts = await Harness(server, time);
        var repositories = facts.Get<RepositoryFactsSource>();
        await repositories.GetAsync("github.com/octo-org/old.lib", CancellationToken.None);
        time.Advance(TimeSpan.FromHours(23));

        var cached = await repositories.GetAsync("github.com/Octo-Org/Old.Lib/v3", CancellationToken.None);
        time.Advance(TimeSpan.FromHours(2));
        var refreshed = await repositories.GetAsync("github.com/octo-org/old.lib", CancellationToken.None);

        Assert.Equal(Now, cached!.FetchedAt);
        Assert.Equal(("Octo-Org", "Old.Lib"), (cached.Owner, cached.Name));
        Assert.Equal(Now + TimeSpan.FromHours(25), refreshed!.FetchedAt);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task GetAsync_RepositoryMissing_UnavailableAndCachedForTtl()
    {
        var github = new GitHubStub();
        await using var server = await github.ServeAsync();
        var time = new ManualTimeProvider(Now);
        await using var facts = await Harness(server, time);
        var repositories = facts.Get<RepositoryFactsSource>();

        var first = await repositories.GetAsync("github.com/octo-org/gone", CancellationToken.None);
        time.Advance(TimeSpan.FromHours(1));
        var second = await repositories.GetAsync("github.com/octo-org/gone", CancellationToken.None);

        Assert.False(first!.Available);
        Assert.Equal("repository not found", first.Error);
        Assert.Equal(first, second);
        Assert.Single(server.Requests);
        await using var db = facts.Database();
        Assert.Equal("repository not found", (await db.RepositoryFacts.SingleAsync()).Error);
    }

    [Fact]
    public async Task GetAsync_RateLimitedWithoutCache_RecordedAndNoFurtherRequestsUntilReset()
    {
        var github = new GitHubStub { RateLimitedUntil = Now + TimeSpan.FromMinutes(10) };
        await using var server = await github.ServeAsync();
        var time = new ManualTimeProvider(Now);
        await using var facts = await Harness(server, time);
        var repositories = facts.Get<RepositoryFactsSource>();

        var limited = await repositories.GetAsync("github.com/octo-org/old.lib", CancellationToken.None);
        var other = await repositories.GetAsync("github.com/octo-org/other", CancellationToken.None);
        var requestsWhileLimited = server.Requests.Count;
        github.RateLimitedUntil = null;
        time.Advance(TimeSpan.FromMinutes(11));
        var after = await repositories.GetAsync("github.com/octo-org/old.lib", CancellationToken.None);

        Assert.False(limited!.Available);
        Assert.Equal("rate limited until 2026-03-01T12:10:00Z", limited.Error);
        Assert.Equal(limited.Error, other!.Error);
        Assert.Equal(1, requestsWhileLimited);
        Assert.True(after!.Available);
        Assert.Equal(2, server.Requests.Count);
        await using var db = facts.Database();
        Assert.Equal("rate limited until 2026-03-01T12:10:00Z", (await db.RepositoryFacts.SingleAsync(r => r.Repository == "octo-org/other")).Error);
        Assert.Null((await db.RepositoryFacts.SingleAsync(r => r.Repository == "octo-org/old.lib")).Error);
    }

    [Fact]
    public async Task GetAsync_RateLimitedWithStaleFacts_AnswersStaleFacts()
    {
        var github = new GitHubStub();
        await using var server = await github.ServeAsync();
        var time = new ManualTimeProvider(Now);
        await using var facts = await Harness(server, time);
        var repositories = facts.Get<RepositoryFactsSource>();
        await repositories.GetAsync("github.com/octo-org/old.lib", CancellationToken.None);
        time.Advance(TimeSpan.FromDays(2));
        github.RateLimitedUntil = time.GetUtcNow() + TimeSpan.FromMinutes(30);

        var stale = await repositories.GetAsync("github.com/octo-org/old.lib", CancellationToken.None);

        Assert.True(stale!.Available);
        Assert.True(stale.Archived);
        Assert.Equal(Now, stale.FetchedAt);
        Assert.Equal(2, server.Requests.Count);
        await using var db = facts.Database();
        var row = await db.RepositoryFacts.SingleAsync();
        Assert.Equal(((string?)null, Now), (row.Error, row.FetchedAt));
    }

    [Fact]
    public async Task GetAsync_NoRequestsRemaining_PausesBeforeGitHubRefuses()
    {
        var github = new GitHubStub { Remaining = 0 };
        await using var server = await github.ServeAsync();
        await using var facts = await Harness(server, new ManualTimeProvider(Now));
        var repositories = facts.Get<RepositoryFactsSource>();

        var first = await repositories.GetAsync("github.com/octo-org/old.lib", CancellationToken.None);
        var second = await repositories.GetAsync("github.com/octo-org/other", CancellationToken.None);

        Assert.True(first!.Available);
        Assert.Equal("rate limited until 2026-03-01T13:00:00Z", second!.Error);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task GetAsync_ServerError_UnavailableAndPausedForAMinute()
    {
        var github = new GitHubStub { Status = StatusCodes.Status502BadGateway };
        await using var server = await github.ServeAsync();
        var time = new ManualTimeProvider(Now);
        await using var facts = await Harness(server, time);
        var repositories = facts.Get<RepositoryFactsSource>();

        var failed = await repositories.GetAsync("github.com/octo-org/old.lib", CancellationToken.None);
        var paused = await repositories.GetAsync("github.com/octo-org/old.lib", CancellationToken.None);
        github.Status = null;
        time.Advance(TimeSpan.FromMinutes(1));
        var resumed = await repositories.GetAsync("github.com/octo-org/old.lib", CancellationToken.None);

        Assert.False(failed!.Available);
        Assert.StartsWith("GitHub API unavailable: ", failed.Error, StringComparison.Ordinal);
        Assert.Equal(failed.Error, paused!.Error);
        Assert.True(resumed!.Available);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task GetAsync_Off_UnavailableWithoutRequest()
    {
        await using var facts = await FactsHarness.CreateAsync(new Dictionary<string, string?>());

        var result = await facts.Get<RepositoryFactsSource>().GetAsync("github.com/octo-org/old.lib", CancellationToken.None);

        Assert.Equal((false, "GitHub facts are off (Gateway:GitHub:ApiUrl)"), (result!.Available, result.Error));
    }

    private static Task<FactsHarness> Harness(LoopbackHttpServer server, TimeProvider time, string? token = null) =>
        FactsHarness.CreateAsync(
            new Dictionary<string, string?> { ["Gateway:GitHub:ApiUrl"] = server.Url, ["Gateway:GitHub:Token"] = token },
            time);

    /// <summary>
    /// <c>GET /repos/{owner}/{repo}</c> as api.github.com answers it (case-insensitive names; the fields GitHub sends
    /// that the facts use, and a few more), a 404 for any other repository, and when told, GitHub's 403 for an
    /// exhausted rate limit with its X-RateLimit headers.
    /// </summary>
    private sealed class GitHubStub
    {
        private const string OldLib = """
            {
              "id": 18425533,
              "node_id": "MDEwOlJlcG9zaXRvcnkxODQyNTUzMw==",
              "name": "Old.Lib",
              "full_name": "Octo-Org/Old.Lib",
              "private": false,
              "owner": { "login": "Octo-Org", "id": 7352191, "type": "Organization", "site_admin": false },
              "html_url": "https://github.com/Octo-Org/Old.Lib",
              "description": "A library nobody maintains any more",
              "fork": false,
              "url": "https://api.github.com/repos/Octo-Org/Old.Lib",
              "created_at": "2014-05-02T09:11:54Z",
              "updated_at": "2025-12-30T22:41:10Z",
              "pushed_at": "2019-11-20T16:03:07Z",
              "homepage": null,
              "size": 412,
              "stargazers_count": 1234,
              "watchers_count": 1234,
              "language": "Go",
              "forks_count": 88,
              "archived": true,
              "disabled": false,
              "open_issues_count": 17,
              "license": { "key": "mit", "name": "MIT License", "spdx_id": "MIT", "url": "https://api.github.com/licenses/mit", "node_id": "MDc6TGljZW5zZTEz" },
              "topics": [],
              "visibility": "public",
              "default_branch": "master",
              "network_count": 88,
              "subscribers_count": 40
            }
            """;

        private readonly ConcurrentQueue<string> authorizations = new();

        /// <summary>While set, every request gets the rate-limit 403, with this reset time.</summary>
        public DateTimeOffset? RateLimitedUntil { get; set; }

        /// <summary>X-RateLimit-Remaining on successful answers (reset one hour after <see cref="Now"/>).</summary>
        public int Remaining { get; init; } = 59;

        /// <summary>While set, every request gets this status (a gateway error, say).</summary>
        public int? Status { get; set; }

        public IReadOnlyList<string> Authorizations => [.. authorizations];

        public Task<LoopbackHttpServer> ServeAsync() => LoopbackHttpServer.StartAsync(async context =>
        {
            if (context.Request.Headers.Authorization.ToString() is { Length: > 0 } authorization)
            {
                authorizations.Enqueue(authorization);
            }

            var response = context.Response;
            response.ContentType = "application/json; charset=utf-8";
            if (Status is { } status)
            {
                response.StatusCode = status;
                response.ContentType = "text/html";
                await response.WriteAsync("<html><body>upstream error</body></html>");
                return;
            }

            if (RateLimitedUntil is { } reset)
            {
                RateLimitHeaders(response, 0, reset);
                response.StatusCode = StatusCodes.Status403Forbidden;
                await response.WriteAsync("""
                    {"message":"API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}
                    """);
                return;
            }

            RateLimitHeaders(response, Remaining, Now + TimeSpan.FromHours(1));
            if (context.Request.Path.Value!.Equals("/repos/octo-org/old.lib", StringComparison.OrdinalIgnoreCase))
            {
                await response.WriteAsync(OldLib);
                return;
            }

            response.StatusCode = StatusCodes.Status404NotFound;
            await response.WriteAsync("""{"message":"Not Found","documentation_url":"https://docs.github.com/rest/repos/repos#get-a-repository","status":"404"}""");
        });

        private static void RateLimitHeaders(HttpResponse response, int remaining, DateTimeOffset reset)
        {
            response.Headers["X-RateLimit-Limit"] = "60";
            response.Headers["X-RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
            response.Headers["X-RateLimit-Reset"] = reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            response.Headers["X-RateLimit-Used"] = (60 - remaining).ToString(CultureInfo.InvariantCulture);
            response.Headers["X-RateLimit-Resource"] = "core";
        }
    }
}
