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
    private readonly SemaphoreSlim[] stripes = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>Moves the version's files as <paramref name="current"/> requires; returns what was moved, e.g. <c>cache → held</c>.</summary>
    public async Task<IReadOnlyList<string>> PlaceAsync(ModuleVersion module, CurrentDecision? current, CancellationToken cancellationToken)
    {
        var moves = new List<string>(2);
        var stripe = stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(module.ToString()) % stripes.Length)];
        await stripe.WaitAsync(cancellationToken);
        try
        {
            switch (current?.Outcome)
            {
                case DecisionOutcome.Admitted:
                    // Released (or admitted by another process sharing this store) while the files sat in quarantine.
                    if (!await storage.Store.ContainsAsync(StoreArea.Cache, module, cancellationToken)
                        && await storage.Store.ContainsAsync(StoreArea.Quarantine, module, cancellationToken)
                        && await HashesMatchAsync(module, current, cancellationToken))
                    {
                        await MoveAsync(module, StoreArea.Quarantine, StoreArea.Cache, moves, cancellationToken);
                    }

                    break;
                case DecisionOutcome.Quarantined:
                    await MoveAsync(module, StoreArea.Cache, StoreArea.Quarantine, moves, cancellationToken);
                    break;
                default:
                    await MoveAsync(module, StoreArea.Cache, StoreArea.Held, moves, cancellationToken);
                    await MoveAsync(module, StoreArea.Quarantine, StoreArea.Held, moves, cancellationToken);
                    break;
            }
        }
        finally
        {
            stripe.Release();
        }

        return moves;
    }

    private async Task MoveAsync(ModuleVersion module, StoreArea from, StoreArea to, List<string> moves, CancellationToken cancellationToken)
    {
        if (await storage.Store.MoveAsync(module, from, to, cancellationToken))
        {
            moves.Add($"{from.Name()} → {to.Name()}");
        }
    }

    /// <summary>
    /// Quarantined files go into service only if they are the bytes the admitting decision names. They are copied to
    /// staging to be hashed: a zip's hash reads its central directory first, which a stream from the store cannot seek to.
    /// </summary>
    private async Task<bool> HashesMatchAsync(ModuleVersion module, CurrentDecision admitted, CancellationToken cancellationToken)
    {
        using var staged = storage.Staging.Create();
        try
        {
            foreach (var kind in new[] { ArtefactKind.Mod, ArtefactKind.Zip })
            {
                await using var stored = await storage.Store.OpenAsync(StoreArea.Quarantine, module, kind, cancellationToken);
                if (stored is null)
                {
                    return false;
                }

                await using var copy = staged.Create(kind);
                await stored.Content.CopyToAsync(copy, cancellationToken);
            }

            return admitted.ZipHash == Hash1.OfZip(staged.PathOf(ArtefactKind.Zip))
                && admitted.GoModHash == Hash1.OfGoMod(await File.ReadAllBytesAsync(staged.PathOf(ArtefactKind.Mod), cancellationToken));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
