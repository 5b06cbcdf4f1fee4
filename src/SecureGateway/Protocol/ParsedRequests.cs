using System.Collections.Concurrent;

namespace SecureGateway.Protocol;

/// <summary>
/// Recent request paths and what they parsed to. Clients ask for the same few paths again and again, and checking a
/// module path and version (Go's rules, rune by rune) costs more than the rest of serving a hot artefact. Only valid
/// requests are kept, at most <see cref="Capacity"/>; when full it starts over, so a client sending endless distinct
/// paths costs memory no more than that.
/// </summary>
internal sealed class ParsedRequests
{
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, ModuleRequest> parsed = new(StringComparer.Ordinal);
    private int count;

    public ModuleRequest? Parse(string rawPath, out string? error)
    {
        if (parsed.TryGetValue(rawPath, out var known))
        {
            error = null;
            return known;
        }

        var request = ModuleRequest.Parse(rawPath, out error);
        if (request is not null && parsed.TryAdd(rawPath, request) && Interlocked.Increment(ref count) > Capacity)
        {
            parsed.Clear();
            Interlocked.Exchange(ref count, 0);
        }

        return request;
    }
}
