using SecureGateway.Admission;
using SecureGateway.Data.Decisions;
using SecureGateway.Modules;

namespace SecureGateway.Tests.Admission;

public sealed class ServingDecisionsTests
{
    private static Decision Recorded(long id, DecisionOutcome outcome) =>
        new() { Id = id, Module = "example.com/m", Version = "v1.0.0", Outcome = outcome, Actor = "gateway" };

    [Fact]
    public void ApplyRecorded_CurrentAtOnceAndItsAnnouncementSkippedOnce()
    {
        var serving = new ServingDecisions();

        Assert.True(serving.ApplyRecorded(Recorded(7, DecisionOutcome.Admitted)));

        Assert.Equal(7, serving.Of(new ModuleVersion("example.com/m", "v1.0.0"))?.Id);
        Assert.True(serving.WasRecordedHere(7));
        Assert.False(serving.WasRecordedHere(7));
    }

    [Fact]
    public void WasRecordedHere_DecisionHeardFromAnotherProcess_False()
    {
        var serving = new ServingDecisions();

        serving.Apply(Recorded(8, DecisionOutcome.Denied));

        Assert.False(serving.WasRecordedHere(8));
        Assert.False(serving.WasRecordedHere(9));
    }

    [Fact]
    public void ApplyRecorded_OlderThanTheCurrentDecision_NotCurrent()
    {
        var serving = new ServingDecisions();
        serving.Apply(Recorded(10, DecisionOutcome.Denied));

        Assert.False(serving.ApplyRecorded(Recorded(9, DecisionOutcome.Admitted)));

        Assert.Equal(DecisionOutcome.Denied, serving.Of(new ModuleVersion("example.com/m", "v1.0.0"))?.Outcome);
    }
}
