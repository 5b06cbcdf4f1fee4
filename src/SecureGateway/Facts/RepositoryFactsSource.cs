using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Octokit;
using Octokit.Internal;
using SecureGateway.Admission;
using SecureGateway.Data;
using SecureGateway.Data.Facts;

namespace SecureGateway.Facts;

/// <summary>
/// Facts about the GitHub repository of <c>github.com/{owner}/{repo}/…</c> modules (archived, created and pushed
/// times, stars, the licence GitHub detected), read with Octokit and cached in PostgreSQL (<c>repository_facts</c>)
/// for <see cref="GitHubOptions.Ttl"/>.
/// </summary>
/// <remarks>
/// Rate limits are respected: after GitHub says the limit is exhausted (a rate-limit 403/429, or a response with no
/// requests remaining) nothing is sent until its reset time, and other failures pause requests for a minute. Meanwhile
/// cached facts are answered even when older than the TTL (stale facts are better than none); without any, the answer
/// is unavailable with the reason, and a rate-limit refusal is recorded in the cache row. Concurrent requests for one
/// repository share one API call.
/// </remarks>
public sealed partial class RepositoryFactsSource
{
    public const string NotFound = "repository not found";

    /// <summary>How long requests pause after a failure that is not a rate limit (network, 5xx).</summary>
    internal static readonly TimeSpan FailurePause = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    private readonly IDbContextFactory<AuditDbContext> contexts;
    private readonly GitHubOptions options;
    private readonly GitHubClient? client;
    private readonly TimeProvider time;
    private readonly ILogger<RepositoryFactsSource> logger;
    private readonly SingleFlight<RepositoryFactsResult> flights = new();
    private readonly Lock pauseLock = new();
    private DateTimeOffset pausedUntil = DateTimeOffset.MinValue;
    private string pauseReason = "";
    private bool pauseIsRateLimit;

    public RepositoryFactsSource(IDbContextFactory<AuditDbContext> contexts, IOptions<GitHubOptions> options, TimeProvider time, ILogger<RepositoryFactsSource> logger)
    {
        this.contexts = contexts;
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
        if (FactSourceSettings.HttpUrl(this.options.ApiUrl, $"{GitHubOptions.Section}:ApiUrl") is { } apiUrl)
        {
            var credentials = string.IsNullOrWhiteSpace(this.options.Token) ? Credentials.Anonymous : new Credentials(this.options.Token.Trim());

            // A Connection takes the base address as given (GitHubClient's own constructor would append /api/v3/ to any
            // host but github.com), so ApiUrl is the API root for github.com, GitHub Enterprise and test stubs alike.
            client = new GitHubClient(new Connection(new ProductHeaderValue("SecureGateway"), apiUrl, new InMemoryCredentialStore(credentials)));
            client.SetRequestTimeout(RequestTimeout);
        }
    }

    /// <summary>The API root asked; null when GitHub facts are off.</summary>
    public Uri? ApiRoot => client?.BaseAddress;

    /// <summary>
    /// The facts for the repository of <paramref name="modulePath"/>; null when the module is not
    /// <c>github.com/{owner}/{repo}[/…]</c>. When GitHub cannot tell (not found, rate limited, unreachable, facts off)
    /// the result has <see cref="RepositoryFactsResult.Available"/> false and the reason in <see cref="RepositoryFactsResult.Error"/>.
    /// </summary>
    /// <remarks>Database errors propagate.</remarks>
    public async Task<RepositoryFactsResult?> GetAsync(string modulePath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modulePath);
        if (ParseRepository(modulePath) is not { } repository)
        {
            return null;
        }

        var (owner, name) = repository;
        var key = $"{owner}/{name}".ToLowerInvariant();
        var cached = await LoadAsync(key, cancellationToken);
        if (cached is not null && IsFresh(cached))
        {
            return Result(owner, name, cached);
        }

        if (client is null)
        {
            return cached is not null && IsUsable(cached) ? Result(owner, name, cached) : Unavailable(owner, name, $"GitHub facts are off ({GitHubOptions.Section}:ApiUrl)");
        }

        // One API call per repository at a time; callers arriving meanwhile share its answer. The token only stops this
        // caller's wait, not the shared call (Octokit's calls cannot be cancelled; they time out).
        return await flights.RunAsync(key, () => FetchAsync(owner, name, key, cached)).WaitAsync(cancellationToken);
    }

    /// <summary>The owner and repository of a <c>github.com/{owner}/{repo}[/…]</c> module path, as written there.</summary>
    internal static (string Owner, string Name)? ParseRepository(string modulePath)
    {
        var match = GitHubModule().Match(modulePath);
        return match.Success ? (match.Groups["owner"].Value, match.Groups["repo"].Value) : null;
    }

    private async Task<RepositoryFactsResult> FetchAsync(string owner, string name, string key, RepositoryFacts? cached)
    {
        if (PausedBecause() is { } paused)
        {
            return await FallBackAsync(owner, name, key, cached, paused.Reason, record: paused.RateLimited);
        }

        try
        {
            var repository = await client!.Repository.Get(owner, name);
            NoteRemaining(client.GetLastApiInfo());
            var facts = new RepositoryFacts
            {
                Repository = key,
                Archived = repository.Archived,
                CreatedAt = repository.CreatedAt.ToUniversalTime(),
                PushedAt = repository.PushedAt?.ToUniversalTime(),
                Stars = repository.StargazersCount,
                Licence = repository.License?.SpdxId is { Length: > 0 and <= 128 } spdx ? spdx : null,
                FetchedAt = time.GetUtcNow(),
            };
            await SaveAsync(facts);
            return Result(owner, name, facts);
        }
        catch (NotFoundException)
        {
            NoteRemaining(client!.GetLastApiInfo());
            var facts = new RepositoryFacts { Repository = key, Error = NotFound, FetchedAt = time.GetUtcNow() };
            await SaveAsync(facts);
            return Result(owner, name, facts);
        }
        catch (RateLimitExceededException e)
        {
            var reason = Pause(e.Reset, $"rate limited until {Format(e.Reset)}");
            return await FallBackAsync(owner, name, key, cached, reason, record: true);
        }
        catch (SecondaryRateLimitExceededException e)
        {
            var reason = Pause(time.GetUtcNow() + RetryAfter(e), $"rate limited until {Format(time.GetUtcNow() + RetryAfter(e))} (secondary limit)");
            return await FallBackAsync(owner, name, key, cached, reason, record: true);
        }
        catch (AbuseException e)
        {
            var until = time.GetUtcNow() + (e.RetryAfterSeconds is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : FailurePause);
            var reason = Pause(until, $"rate limited until {Format(until)} (abuse detection)");
            return await FallBackAsync(owner, name, key, cached, reason, record: true);
        }
        catch (ApiException e) when ((int)e.StatusCode == 429)
        {
            var reason = Pause(time.GetUtcNow() + RetryAfter(e), $"rate limited until {Format(time.GetUtcNow() + RetryAfter(e))}");
            return await FallBackAsync(owner, name, key, cached, reason, record: true);
        }
        catch (Exception e) when (e is ApiException or HttpRequestException or IOException or TaskCanceledException)
        {
            var message = e is TaskCanceledException ? $"no answer within {RequestTimeout.TotalSeconds:0} s" : e.Message;
            var reason = Pause(time.GetUtcNow() + FailurePause, $"GitHub API unavailable: {message}", rateLimited: false);
            LogUnavailable(owner, name, message);
            return await FallBackAsync(owner, name, key, cached, reason, record: false);
        }
    }

    /// <summary>Cached facts (even stale) when there are any; else unavailable, recording the reason when <paramref name="record"/>.</summary>
    private async Task<RepositoryFactsResult> FallBackAsync(string owner, string name, string key, RepositoryFacts? cached, string reason, bool record)
    {
        if (cached is not null && IsUsable(cached))
        {
            return Result(owner, name, cached);
        }

        if (record)
        {
            await SaveAsync(new RepositoryFacts { Repository = key, Error = reason, FetchedAt = time.GetUtcNow() });
        }

        return Unavailable(owner, name, reason);
    }

    /// <summary>Facts or "not found" within the TTL; other errors are never fresh (they are retried once requests resume).</summary>
    private bool IsFresh(RepositoryFacts row) => IsUsable(row) && time.GetUtcNow() - row.FetchedAt < options.Ttl;

    /// <summary>Whether a row is an answer from GitHub (facts, or "not found") rather than a failure to get one.</summary>
    private static bool IsUsable(RepositoryFacts row) => row.Error is null or NotFound;

    private static RepositoryFactsResult Result(string owner, string name, RepositoryFacts row) => new(
        owner, name, row.Error is null, row.Error, row.Archived, row.CreatedAt, row.PushedAt, row.Stars, row.Licence, row.FetchedAt);

    private static RepositoryFactsResult Unavailable(string owner, string name, string reason) =>
        new(owner, name, false, reason, false, null, null, 0, null, null);

    /// <summary>Why requests are paused and whether for a rate limit; null when they are not.</summary>
    private (string Reason, bool RateLimited)? PausedBecause()
    {
        lock (pauseLock)
        {
            return time.GetUtcNow() < pausedUntil ? (pauseReason, pauseIsRateLimit) : null;
        }
    }

    private string Pause(DateTimeOffset until, string reason, bool rateLimited = true)
    {
        lock (pauseLock)
        {
            if (until > pausedUntil)
            {
                pausedUntil = until;
                pauseReason = reason;
                pauseIsRateLimit = rateLimited;
            }
        }

        LogPaused(reason);
        return reason;
    }

    /// <summary>Stops asking before GitHub has to refuse: no requests left means a pause until the reset time.</summary>
    private void NoteRemaining(ApiInfo? info)
    {
        if (info?.RateLimit is { Remaining: <= 0, Limit: > 0 } limit && limit.Reset > time.GetUtcNow())
        {
            Pause(limit.Reset, $"rate limited until {Format(limit.Reset)}");
        }
    }

    private static TimeSpan RetryAfter(ApiException e) =>
        e.HttpResponse?.Headers is { } headers
        && headers.FirstOrDefault(h => h.Key.Equals("Retry-After", StringComparison.OrdinalIgnoreCase)).Value is { } value
        && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : FailurePause;

    private static string Format(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private async Task<RepositoryFacts?> LoadAsync(string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.RepositoryFacts.AsNoTracking().FirstOrDefaultAsync(r => r.Repository == key, cancellationToken);
    }

    private async Task SaveAsync(RepositoryFacts facts)
    {
        // Not cancelled with the caller: the answer is shared and worth keeping.
        await using var db = await contexts.CreateDbContextAsync();
        var row = await db.RepositoryFacts.FirstOrDefaultAsync(r => r.Repository == facts.Repository);
        if (row is null)
        {
            db.RepositoryFacts.Add(facts);
        }
        else
        {
            row.Archived = facts.Archived;
            row.CreatedAt = facts.CreatedAt;
            row.PushedAt = facts.PushedAt;
            row.Stars = facts.Stars;
            row.Licence = facts.Licence;
            row.Error = facts.Error;
            row.FetchedAt = facts.FetchedAt;
        }

        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Another process stored the repository first; its facts are as good as ours.
        }
    }

    // github.com/{owner}/{repo}[/…]: owners are letters, digits and '-'; repositories also allow '.' and '_'.
    [GeneratedRegex(@"^github\.com/(?<owner>[A-Za-z0-9][A-Za-z0-9-]{0,38})/(?<repo>[A-Za-z0-9._-]{1,100})(?:/|$)")]
    private static partial Regex GitHubModule();

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub repository facts paused: {Reason}")]
    private partial void LogPaused(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub repository facts for {Owner}/{Name} unavailable: {Reason}")]
    private partial void LogUnavailable(string owner, string name, string reason);
}

/// <summary>Facts about a module's GitHub repository, as a policy sees them.</summary>
/// <param name="Owner">The owner, as written in the module path.</param>
/// <param name="Name">The repository, as written in the module path.</param>
/// <param name="Available">Whether GitHub answered with facts; false when the repository was not found or GitHub could not be asked.</param>
/// <param name="Error">Why the facts are unavailable (<c>repository not found</c>, <c>rate limited until …</c>, …); null when available.</param>
/// <param name="Archived">Whether the repository is archived (read-only).</param>
/// <param name="CreatedAt">When the repository was created.</param>
/// <param name="PushedAt">When something was last pushed to it.</param>
/// <param name="Stars">Its stargazer count.</param>
/// <param name="Licence">The SPDX id of the licence GitHub detected (<c>NOASSERTION</c> when it saw one it could not name); null when none.</param>
/// <param name="FetchedAt">When GitHub gave these facts (they may be older than the TTL while GitHub cannot be asked); null when none.</param>
public sealed record RepositoryFactsResult(
    string Owner,
    string Name,
    bool Available,
    string? Error,
    bool Archived,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? PushedAt,
    int Stars,
    string? Licence,
    DateTimeOffset? FetchedAt);
