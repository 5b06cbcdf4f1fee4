using System.Collections.Concurrent;

namespace SecureGateway.Admission;

/// <summary>
/// Runs one piece of work per key at a time; callers arriving while it runs share its result
/// (Go's singleflight, and Athens' stasher). The key is forgotten as soon as the work ends.
/// </summary>
internal sealed class SingleFlight<T>
{
    private readonly ConcurrentDictionary<string, Lazy<Task<T>>> flights = new(StringComparer.Ordinal);

    public Task<T> RunAsync(string key, Func<Task<T>> work)
    {
        Lazy<Task<T>>? flight = null;
        flight = flights.GetOrAdd(key, _ => new Lazy<Task<T>>(() => RunThenForgetAsync(key, work, flight!)));
        return flight.Value;
    }

    private async Task<T> RunThenForgetAsync(string key, Func<Task<T>> work, Lazy<Task<T>> flight)
    {
        try
        {
            await Task.Yield();
            return await work();
        }
        finally
        {
            flights.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(key, flight));
        }
    }
}
