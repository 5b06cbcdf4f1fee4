using Jint.Constraints;
using SecureGateway.Policy;

namespace SecureGateway.Core.Tests.Policy;

public sealed class PolicySandboxProfileTests
{
    [Fact]
    public void Rules_Profile_IsHardenedWithRealLimits()
    {
        var sandbox = PolicySandbox.Rules;
        var options = sandbox.Options;

        Assert.True(options.Strict);
        Assert.False(options.Host.StringCompilationAllowed);
        Assert.False(options.Interop.Enabled);
        Assert.Equal(64, options.Constraints.MaxRecursionDepth);
        Assert.True(options.Constraints.StackOverflowGuard);
        Assert.Equal(TimeSpan.FromMilliseconds(250), sandbox.Timeout);
        Assert.Equal(100_000, sandbox.MaxStatements);
        Assert.Equal(16L * 1024 * 1024, sandbox.MemoryLimit);
        // Jint drops a constraint whose limit is non-positive or MaxValue: check they are registered (the time
        // limit is internal to Jint; PolicySandboxTests.Evaluate_SlowButFewStatements_TimesOut shows it works).
        using var engine = sandbox.CreateEngine();
        Assert.NotNull(engine.Constraints.Find<MaxStatementsConstraint>());
        Assert.NotNull(engine.Constraints.Find<MemoryLimitConstraint>());
    }

    [Fact]
    public void Tests_Profile_IsHardenedWithRealLimits()
    {
        var options = PolicySandbox.Tests.Options;

        Assert.True(options.Strict);
        Assert.False(options.Host.StringCompilationAllowed);
        Assert.False(options.Interop.Enabled);
        using var engine = PolicySandbox.Tests.CreateEngine();
        Assert.NotNull(engine.Constraints.Find<MaxStatementsConstraint>());
        Assert.NotNull(engine.Constraints.Find<MemoryLimitConstraint>());
    }
}
