using System.Diagnostics;

namespace SecureGateway.Fuzz;

/// <summary>What one target's run did: how many inputs it checked, and the first that broke the property.</summary>
public sealed record FuzzOutcome(string Target, long Runs, TimeSpan Elapsed, FuzzFailure? Failure);

/// <param name="Seed">With <paramref name="Size"/>, regenerates exactly this input.</param>
public sealed record FuzzFailure(ulong Seed, int Size, string Input, string Problem);

/// <summary>
/// Runs a target's inputs one after another on a worker thread until the run budget or the time budget is spent or
/// a check fails. Input i has seed firstSeed + i and size i mod <see cref="MaxSize"/> + 1, so small and large
/// inputs alternate. A check that runs past the per-input limit is reported as a hang (its thread is abandoned).
/// </summary>
public static class FuzzRunner
{
    public const int MaxSize = 100;

    public static FuzzOutcome Run(FuzzTarget target, ulong firstSeed, long maxRuns, TimeSpan budget, TimeSpan perInputLimit, int? fixedSize = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        var clock = Stopwatch.StartNew();
        var state = new WorkerState();
        var worker = new Thread(() => Loop(target, firstSeed, maxRuns, budget, fixedSize, clock, state)) { IsBackground = true };
        worker.Start();
        while (!worker.Join(TimeSpan.FromMilliseconds(50)))
        {
            if (state.Current is { } running && clock.Elapsed - running.StartedAt > perInputLimit)
            {
                var hang = new FuzzFailure(running.Seed, running.Size, running.Case.Describe(), $"no answer within {perInputLimit.TotalSeconds} s");
                return new FuzzOutcome(target.Name, state.Runs, clock.Elapsed, hang);
            }
        }
        return new FuzzOutcome(target.Name, state.Runs, clock.Elapsed, state.Failure);
    }

    private static void Loop(FuzzTarget target, ulong firstSeed, long maxRuns, TimeSpan budget, int? fixedSize, Stopwatch clock, WorkerState state)
    {
        for (long i = 0; i < maxRuns && clock.Elapsed < budget; i++)
        {
            ulong seed = firstSeed + (ulong)i;
            int size = fixedSize ?? (int)(i % MaxSize) + 1;
            FuzzCase fuzzCase = target.Generate(seed, size);
            state.Current = new Running(seed, size, fuzzCase, clock.Elapsed);
            if (Check(target, fuzzCase) is { } problem)
            {
                state.Failure = new FuzzFailure(seed, size, fuzzCase.Describe(), problem);
                state.Current = null;
                return;
            }
            state.Current = null;
            state.Runs = i + 1;
        }
    }

    private static string? Check(FuzzTarget target, FuzzCase fuzzCase)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            fuzzCase.Check();
        }
        catch (PropertyFailedException failure)
        {
            return failure.Message;
        }
#pragma warning disable CA1031 // Any other exception is what the run looks for: an undocumented one escaped the parser.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return $"unexpected {e.GetType().Name}: {e}";
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return allocated > target.MaxAllocatedBytes
            ? $"allocated {allocated} bytes; the bound is {target.MaxAllocatedBytes}"
            : null;
    }

    private sealed record Running(ulong Seed, int Size, FuzzCase Case, TimeSpan StartedAt);

    private sealed class WorkerState
    {
        private Running? current;
        private long runs;

        public Running? Current
        {
            get => Volatile.Read(ref current);
            set => Volatile.Write(ref current, value);
        }

        public long Runs
        {
            get => Interlocked.Read(ref runs);
            set => Interlocked.Exchange(ref runs, value);
        }

        public FuzzFailure? Failure { get; set; }
    }
}
