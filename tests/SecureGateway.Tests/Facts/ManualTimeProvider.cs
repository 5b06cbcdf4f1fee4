namespace SecureGateway.Tests.Facts;

/// <summary>A clock the test moves by hand (TTL, rate-limit resets, the index window).</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start.ToUniversalTime();

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
