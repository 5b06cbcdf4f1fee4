namespace SecureGateway.Admission;

/// <summary>
/// Work an admission runs beside the fetch because it needs none of the files (the checksum-DB lookup, the facts'
/// reads); it starts once <c>asked</c> completes. An admission that ends without its answer (the fetch failed) stops it
/// and waits for it, so no database or network work outlives the admission.
/// </summary>
internal sealed class EarlyRun<T> : IAsyncDisposable
{
    private readonly CancellationTokenSource stop;

    private EarlyRun(CancellationTokenSource stop, Task<T> task) => (this.stop, Task) = (stop, task);

    public Task<T> Task { get; }

    public static EarlyRun<T> Start(Task asked, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        return new(stop, RunAsync(asked, work, stop.Token));
    }

    private static async Task<T> RunAsync(Task asked, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await asked.WaitAsync(cancellationToken);
        return await work(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Task.IsCompleted)
        {
            await stop.CancelAsync();
        }

        // Its failure, if any, reached the admission that awaited it; an unneeded answer's failure matters to no one.
        await Task.ContinueWith(static early => _ = early.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        stop.Dispose();
    }
}
