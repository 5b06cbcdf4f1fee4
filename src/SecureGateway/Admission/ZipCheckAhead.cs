using System.Diagnostics.Metrics;
using SecureGateway.Modules;
using SecureGateway.Observability;
using SecureGateway.Storage;
using SecureGateway.Upstream;
using SecureGateway.Verification.ZipRules;

namespace SecureGateway.Admission;

/// <summary>
/// Checks a large zip while it downloads instead of after: once <see cref="Threshold"/> bytes have arrived, the upstream
/// is asked for the zip's last bytes (where its central directory is), and the zip rules run over a view of the staged
/// file whose reads wait for the download to reach them. The report counts only if the zip that arrived has the length
/// the upstream claimed and ends in exactly those bytes, so that every byte the rules read was the zip's own; otherwise,
/// and when the upstream answers no range request, the zip is checked from the file once it arrived, as any other.
/// </summary>
internal sealed class ZipCheckAhead(IUpstream source, ModuleVersion module, StagedModule staged) : IAsyncDisposable
{
    /// <summary>Smaller zips are checked once they arrived: the overlap would save less than the range request costs.</summary>
    public const long Threshold = 16L << 20;

    /// <summary>How much of the end is asked for: the central directory of some 14,000 files, as module zips name them.</summary>
    public const int TailBytes = 2 << 20;

    private static readonly Counter<long> Outcomes = GatewayTelemetry.Meter.CreateCounter<long>(
        "securegateway.admission.zip_checks_ahead", "{zip}",
        "Large zips checked while they downloaded, by result: used, discarded (the zip that arrived was not the one checked, or the check failed), unanswered (no range answer in time)");

    private readonly CancellationTokenSource stop = new();
    private readonly TaskCompletionSource goModArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ArrivingFile? arriving;
    private string? relativePath;
    private Task<(UpstreamTail Tail, ModuleZipReport Report)?>? checking;
    private bool tailArrived;

    /// <summary>The stream the zip at <paramref name="path"/> (relative to the upstream) is downloaded into: <paramref name="file"/>, watched.</summary>
    public Stream Follow(FileStream file, string path)
    {
        relativePath = path;
        return arriving = new ArrivingFile(file, Threshold, () => checking = CheckAsync());
    }

    /// <summary>The staged go.mod is complete: the rules compare the zip's go.mod with it.</summary>
    public void GoModArrived() => goModArrived.TrySetResult();

    /// <summary>The download ended (whole or not): reads waiting for more stop waiting.</summary>
    public void Ended() => arriving?.End();

    /// <summary>The rules' report on the staged zip if the check ahead read exactly its bytes; null when it must be checked from the file.</summary>
    public async Task<ModuleZipReport?> ReportAsync()
    {
        Ended();
        if (checking is null)
        {
            return null;
        }

        if (!Volatile.Read(ref tailArrived))
        {
            // The zip came before its tail: the rules read the file now rather than wait for the range request.
            await stop.CancelAsync();
        }

        (UpstreamTail Tail, ModuleZipReport Report)? ahead;
        try
        {
            ahead = await checking;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            ahead = null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever failed over the claimed tail (a view the download stopped short of, a directory the arrived zip
            // may not have) is not the zip's verdict: the file decides, as for any zip.
            Outcomes.Add(1, GatewayTelemetry.Tag("result", "discarded"));
            return null;
        }

        if (ahead is not { } checkedAhead)
        {
            Outcomes.Add(1, GatewayTelemetry.Tag("result", "unanswered"));
            return null;
        }

        var arrived = ArrivedAsClaimed(checkedAhead.Tail);
        Outcomes.Add(1, GatewayTelemetry.Tag("result", arrived ? "used" : "discarded"));
        return arrived ? checkedAhead.Report : null;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        Ended();
        if (checking is not null)
        {
            try
            {
                await checking;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Stopped with the admission; nothing of it is used.
            }
        }

        stop.Dispose();
    }

    private async Task<(UpstreamTail, ModuleZipReport)?> CheckAsync()
    {
        var tail = await source.FetchTailAsync(relativePath!, TailBytes, stop.Token);
        Volatile.Write(ref tailArrived, true);
        if (tail is null || tail.Length < Threshold || tail.Length > ModuleZipRules.MaxZipFile)
        {
            return null;
        }

        await goModArrived.Task.WaitAsync(stop.Token);
        var goMod = await File.ReadAllBytesAsync(staged.PathOf(ArtefactKind.Mod), stop.Token);
        var zip = staged.PathOf(ArtefactKind.Zip);
        var watched = arriving!;

        // The rules read synchronously and wait for the download: a thread of their own, not one of the pool's.
        return await Task.Factory.StartNew<(UpstreamTail, ModuleZipReport)?>(
            () =>
            {
                using var view = new ArrivingZipView(zip, watched, tail);
                return (tail, ModuleZipRules.Check(view, module.Path, module.Version, goMod));
            },
            stop.Token,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    /// <summary>Whether the staged zip has the claimed length and ends in the claimed bytes.</summary>
    private bool ArrivedAsClaimed(UpstreamTail tail)
    {
        using var file = new FileStream(staged.PathOf(ArtefactKind.Zip), FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        if (file.Length != tail.Length)
        {
            return false;
        }

        var end = new byte[tail.Bytes.Length];
        file.Seek(-end.Length, SeekOrigin.End);
        file.ReadExactly(end);
        return end.AsSpan().SequenceEqual(tail.Bytes);
    }
}

/// <summary>
/// A file being downloaded into, that says how much of it can be read: writes pass through to the file, which is
/// flushed every <see cref="FlushEvery"/> bytes so that readers (another handle) see it grow.
/// </summary>
internal sealed class ArrivingFile(FileStream file, long notifyAt, Action reachedNotifyAt) : Stream
{
    private const long FlushEvery = 1 << 20;

    private readonly object gate = new();
    private long written;
    private long readable;
    private bool ended;
    private bool notified;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await file.WriteAsync(buffer, cancellationToken);
        written += buffer.Length;
        if (written - Volatile.Read(ref readable) >= FlushEvery)
        {
            await file.FlushAsync(cancellationToken);
            Publish(written);
        }

        if (!notified && written >= notifyAt)
        {
            notified = true;
            reachedNotifyAt();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => file.FlushAsync(cancellationToken);

    public override void Flush() => file.Flush();

    /// <summary>Nothing more will be written; what the file holds (flushed when it was closed) can all be read.</summary>
    public void End()
    {
        lock (gate)
        {
            ended = true;
            Monitor.PulseAll(gate);
        }
    }

    /// <summary>Waits until the byte at <paramref name="position"/> can be read, or the download ended; returns how many bytes can be read.</summary>
    public long WaitFor(long position)
    {
        lock (gate)
        {
            while (readable <= position && !ended)
            {
                Monitor.Wait(gate);
            }

            return ended ? long.MaxValue : readable;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private void Publish(long count)
    {
        lock (gate)
        {
            readable = count;
            Monitor.PulseAll(gate);
        }
    }
}

/// <summary>
/// The zip as it will be: a read-only, seekable view of the staged file of the claimed length, whose last bytes are the
/// claimed tail and whose other reads wait until the download has written them.
/// </summary>
internal sealed class ArrivingZipView(string path, ArrivingFile arriving, UpstreamTail tail) : Stream
{
    private readonly FileStream file = new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
    private readonly long tailStart = tail.Length - tail.Bytes.Length;
    private long position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => tail.Length;

    public override long Position
    {
        get => position;
        set => position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (position >= tail.Length || buffer.IsEmpty)
        {
            return 0;
        }

        if (position >= tailStart)
        {
            var fromTail = tail.Bytes.AsSpan((int)(position - tailStart));
            var copied = Math.Min(fromTail.Length, buffer.Length);
            fromTail[..copied].CopyTo(buffer);
            position += copied;
            return copied;
        }

        var readable = arriving.WaitFor(position);
        var count = (int)Math.Min(buffer.Length, Math.Min(readable, tailStart) - position);
        file.Position = position;
        var read = file.Read(buffer[..count]);
        if (read == 0)
        {
            throw new IOException($"the zip ended at {position} bytes, before the {tail.Length} the upstream claimed");
        }

        position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => position + offset,
            _ => tail.Length + offset,
        };
        return position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            file.Dispose();
        }

        base.Dispose(disposing);
    }
}
