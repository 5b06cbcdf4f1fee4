using SecureGateway.Policy;

namespace SecureGateway.Core.Tests.Policy;

public sealed class PolicyBenchmarkTests
{
    // Not a timed test: the figures depend on the machine. It checks the benchmark runs and reports sane numbers.
    [Fact]
    public void Run_DefaultBundle_ReportsOrderedPercentiles()
    {
        var bundle = PolicyBundle.Load(PolicyFolder.Shipped);

        var (p50, p99, runs) = PolicyBenchmark.Run(bundle, Facts.Typical(), 200);

        Assert.Equal(200, runs);
        Assert.InRange(p50, 0.0, p99);
    }
}
