using SecureGateway.Modules;
using SecureGateway.Observability;
using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Admission;

/// <summary>
/// The checksum-DB lookup of a version being admitted, run while its files are fetched since it needs none of them; it
/// starts once <c>asked</c> completes. An admission that ends without its answer (the fetch failed) stops it and waits
/// for it, so no database or network work outlives the admission.
/// </summary>
internal sealed class ChecksumDbLookupRun : IAsyncDisposable
{
    private readonly CancellationTokenSource stop;

    private ChecksumDbLookupRun(CancellationTokenSource stop, Task<ChecksumDbLookup> task) => (this.stop, Task) = (stop, task);

    public Task<ChecksumDbLookup> Task { get; }

    public static ChecksumDbLookupRun Start(ChecksumDbVerifier verifier, ModuleVersion module, Task asked, AdmissionRun run, CancellationToken cancellationToken)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        return new(stop, LookUpAsync(verifier, module, asked, run, stop.Token));
    }

    private static async Task<ChecksumDbLookup> LookUpAsync(
        ChecksumDbVerifier verifier, ModuleVersion module, Task asked, AdmissionRun run, CancellationToken cancellationToken)
    {
        await asked.WaitAsync(cancellationToken);
        using var step = run.Step(AdmissionStep.ChecksumDb);
        return await verifier.LookUpAsync(module, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Task.IsCompleted)
        {
            await stop.CancelAsync();
        }

        // Its failure, if any, reached the admission that awaited it; an unneeded lookup's failure matters to no one.
        await Task.ContinueWith(static lookup => _ = lookup.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        stop.Dispose();
    }
}
