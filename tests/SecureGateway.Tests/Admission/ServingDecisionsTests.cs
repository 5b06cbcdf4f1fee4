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

    [Fact]
    public async Task RecordAsync_AnnouncementHeardBeforeTheRecordingReturns_WaitedForThenSkipped()
    {
        // PostgreSQL announces on commit, which may be before the recording returns: the feed waits for the recordings
        // under way, then finds the decision recorded here.
        var serving = new ServingDecisions();
        var committed = new TaskCompletionSource<Decision?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var recording = serving.RecordAsync(() => committed.Task);

        var underWay = serving.RecordingsUnderWay();
        Assert.False(underWay.IsCompleted);
        Assert.False(serving.WasRecordedHere(11));

        committed.SetResult(Recorded(11, DecisionOutcome.Admitted));
        await underWay;

        Assert.Equal(11, (await recording)?.Id);
        Assert.True(serving.WasRecordedHere(11));
        Assert.Equal(11, serving.Of(new ModuleVersion("example.com/m", "v1.0.0"))?.Id);
        Assert.True(serving.RecordingsUnderWay().IsCompleted);
    }

    [Fact]
    public async Task RecordAsync_NothingRecordedOrFailed_NoLongerUnderWayAndNothingApplied()
    {
        var serving = new ServingDecisions();

        Assert.Null(await serving.RecordAsync(() => Task.FromResult<Decision?>(null)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => serving.RecordAsync(() => throw new InvalidOperationException("database down")));

        Assert.True(serving.RecordingsUnderWay().IsCompleted);
        Assert.Null(serving.Of(new ModuleVersion("example.com/m", "v1.0.0")));
    }
}
