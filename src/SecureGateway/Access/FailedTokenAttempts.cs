using System.Threading.RateLimiting;

namespace SecureGateway.Access;

/// <summary>
/// Failed token attempts per client address: past <see cref="Limit"/> in a minute the client gets 429 without its tokens
/// being looked up, so guessing tokens (or hammering the token store with garbage) is slow and cheap to refuse.
/// </summary>
public sealed class FailedTokenAttempts : IDisposable
{
    public const int Limit = 20;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<string> failures = PartitionedRateLimiter.Create<string, string>(client =>
        RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions { PermitLimit = Limit, Window = Window, QueueLimit = 0 }));

    public bool IsThrottled(string client) => failures.GetStatistics(client)?.CurrentAvailablePermits == 0;

    public void Record(string client)
    {
        using var _ = failures.AttemptAcquire(client);
    }

    public void Dispose() => failures.Dispose();
}
