using SecureGateway.Fuzz;

namespace SecureGateway.Tests.Fuzz;

/// <summary>
/// The fuzz command's properties on the same fixed inputs every run (about a second in all), so a regression in a
/// parser the fuzz run once broke fails here; the command itself explores new inputs for minutes.
/// </summary>
public sealed class FuzzTargetsTests
{
    private const ulong Seed = 20_260_101;
    private const int Runs = 100;

    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Target_FixedInputs_PropertyHolds(string name)
    {
        FuzzTarget target = FuzzTargets.All.Single(t => t.Name == name);

        FuzzOutcome outcome = FuzzRunner.Run(target, Seed, Runs, budget: TimeSpan.FromMinutes(1), perInputLimit: TimeSpan.FromSeconds(10));

        Assert.Null(outcome.Failure);
        Assert.Equal(Runs, outcome.Runs);
    }
}
