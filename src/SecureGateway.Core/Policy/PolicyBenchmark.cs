using System.Diagnostics;

namespace SecureGateway.Policy;

/// <summary>Times <see cref="PolicyBundle.Evaluate"/>: per-evaluation wall time, after a short warm-up.</summary>
public static class PolicyBenchmark
{
    public static (double P50Ms, double P99Ms, int Runs) Run(PolicyBundle bundle, ModuleFacts facts, int runs)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(runs);

        for (var i = 0; i < Math.Min(runs, 200); i++)
        {
            bundle.Evaluate(facts);
        }

        var samples = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            bundle.Evaluate(facts);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(samples);
        return (Percentile(samples, 0.50), Percentile(samples, 0.99), runs);
    }

    // Nearest-rank percentile of sorted samples.
    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
