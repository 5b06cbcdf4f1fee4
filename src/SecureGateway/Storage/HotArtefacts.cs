using System.Collections.Concurrent;
using SecureGateway.Modules;

namespace SecureGateway.Storage;

/// <summary>
/// One artefact held in memory with what its answers need, worked out once when it is stored: the ETag (quoted) goes
/// out with every answer, so it is not built per request.
/// </summary>
/// <param name="DecisionId">The decision that admitted these bytes; a copy tagged with another one is not served.</param>
public sealed record HotArtefact(long DecisionId, byte[] Bytes, string? ETag);

/// <summary>
/// A bounded in-memory copy of small, popular artefacts (.info, .mod, small zips), so serving them costs no file system
/// call. It is storage, not authority: callers serve from it only after the current decision admitted the version, and
/// each copy is tagged with the id of that decision, so a later decision (a re-admission with other bytes) never meets a
/// stale copy. When full it starts over: what is popular comes back at once.
/// </summary>
public sealed class HotArtefacts(long capacityBytes)
{
    public const int MaxItemBytes = 1 << 20;

    private readonly ConcurrentDictionary<(ModuleVersion Module, ArtefactKind Kind), HotArtefact> items = new();
    private long size;

    public HotArtefact? Get(ModuleVersion module, ArtefactKind kind, long decisionId) =>
        items.TryGetValue((module, kind), out var item) && item.DecisionId == decisionId ? item : null;

    public void Put(ModuleVersion module, ArtefactKind kind, HotArtefact artefact)
    {
        var length = artefact.Bytes.Length;
        if (length > MaxItemBytes || length > capacityBytes)
        {
            return;
        }

        if (Interlocked.Add(ref size, length) > capacityBytes)
        {
            items.Clear();
            Interlocked.Exchange(ref size, length);
        }

        if (items.TryGetValue((module, kind), out var replaced) && items.TryUpdate((module, kind), artefact, replaced))
        {
            Interlocked.Add(ref size, -replaced.Bytes.Length);
        }
        else
        {
            items[(module, kind)] = artefact;
        }
    }
}
