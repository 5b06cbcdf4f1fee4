namespace SecureGateway.Upstream;

internal static class LimitedCopy
{
    /// <summary>
    /// Copies at most <paramref name="maxBytes"/>; returns the count copied, or -1 when the source had more.
    /// Each read restarts <paramref name="idle"/>, so a slow but moving 500 MiB download is fine and a stalled one is not;
    /// <paramref name="ended"/> is cancelled by <paramref name="idle"/> and whatever else ends the copy.
    /// </summary>
    public static async Task<long> CopyAsync(
        Stream source, Stream destination, long maxBytes, CancellationTokenSource idle, TimeSpan idleTimeout, CancellationToken ended)
    {
        var buffer = new byte[81920];
        long total = 0;
        while (true)
        {
            idle.CancelAfter(idleTimeout);
            var read = await source.ReadAsync(buffer, ended);
            if (read == 0)
            {
                return total;
            }

            total += read;
            if (total > maxBytes)
            {
                return -1;
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), ended);
        }
    }
}
