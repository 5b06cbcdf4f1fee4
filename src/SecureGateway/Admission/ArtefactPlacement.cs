using SecureGateway.Data.Decisions;
using SecureGateway.Modules;
using SecureGateway.Storage;
using SecureGateway.Verification.DirHash;

namespace SecureGateway.Admission;

/// <summary>
/// Puts a version's files where its current decision says they belong: admitted in the cache, quarantined in the
/// quarantine, refused (or never decided) in the held area. Idempotent, so it runs after every act, for every decision
/// another process announces, and over everything at start; a crash between recording a decision and moving files is
/// repaired by running it again. Serving never depends on it: the decision alone says what is served.
/// </summary>
public sealed class ArtefactPlacement(GatewayStorage storage)
{
    private readonly Lock[] stripes = [.. Enumerable.Range(0, 64).Select(_ => new Lock())];

    /// <summary>Moves the version's files as <paramref name="current"/> requires; returns what was moved, e.g. <c>cache → held</c>.</summary>
    public IReadOnlyList<string> Place(ModuleVersion module, CurrentDecision? current)
    {
        var moves = new List<string>(2);
        lock (stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(module.ToString()) % stripes.Length)])
        {
            switch (current?.Outcome)
            {
                case DecisionOutcome.Admitted:
                    // Released (or admitted by another process sharing this folder) while the files sat in quarantine.
                    if (!storage.Cache.Contains(module) && storage.Quarantine.Contains(module) && HashesMatch(module, current))
                    {
                        Move(module, storage.Quarantine, storage.Cache, "quarantine → cache", moves);
                    }

                    break;
                case DecisionOutcome.Quarantined:
                    Move(module, storage.Cache, storage.Quarantine, "cache → quarantine", moves);
                    break;
                default:
                    Move(module, storage.Cache, storage.Held, "cache → held", moves);
                    Move(module, storage.Quarantine, storage.Held, "quarantine → held", moves);
                    break;
            }
        }

        return moves;
    }

    private static void Move(ModuleVersion module, ArtefactStore from, ArtefactStore to, string what, List<string> moves)
    {
        if (from.MoveTo(module, to))
        {
            moves.Add(what);
        }
    }

    /// <summary>Quarantined files go into service only if they are the bytes the admitting decision names.</summary>
    private bool HashesMatch(ModuleVersion module, CurrentDecision admitted)
    {
        try
        {
            return admitted.ZipHash == Hash1.OfZip(storage.Quarantine.PathOf(module, ArtefactKind.Zip))
                && admitted.GoModHash == Hash1.OfGoMod(File.ReadAllBytes(storage.Quarantine.PathOf(module, ArtefactKind.Mod)));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
