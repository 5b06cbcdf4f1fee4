using System.Collections.Concurrent;
using SecureGateway.Modules;

namespace SecureGateway.Storage;

/// <summary>
/// A bounded in-memory copy of small, popular artefacts (.info, .mod, small zips), so serving them costs no file system
/// call. It is storage, not authority: callers serve from it only after the current decision admitted the version, and
/// each copy is tagged with the id of that decision, so a later decision (a re-admission with other bytes) never meets a
/// stale copy. When full it starts over: what is popular comes back at once.
/// </summary>
public sealed class HotArtefacts(long capacityBytes)
{
    public const int MaxItemBytes = 1 << 20;

    private readonly ConcurrentDictionary<(ModuleVersion Module, ArtefactKind Kind), (long Tag, byte[] Bytes)> items = new();
    private long size;

    public byte[]? Get(ModuleVersion module, ArtefactKind kind, long tag) =>
        items.TryGetValue((module, kind), out var item) && item.Tag == tag ? item.Bytes : null;

    public void Put(ModuleVersion module, ArtefactKind kind, long tag, byte[] bytes)
    {
        if (bytes.Length > MaxItemBytes || bytes.Length > capacityBytes)
        {
            return;
        }

        if (Interlocked.Add(ref size, bytes.Length) > capacityBytes)
        {
            items.Clear();
            Interlocked.Exchange(ref size, bytes.Length);
        }

        if (items.TryGetValue((module, kind), out var replaced) && items.TryUpdate((module, kind), (tag, bytes), replaced))
        {
            Interlocked.Add(ref size, -replaced.Bytes.Length);
        }
        else
        {
            items[(module, kind)] = (tag, bytes);
        }
    }
}
