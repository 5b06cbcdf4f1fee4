using SecureGateway.Reports;

namespace SecureGateway.Tests.Reports;

public sealed class ReportPeriodTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Parse_Nothing_TheLast30Days() =>
        Assert.Equal(new ReportPeriod(Now.AddDays(-30), Now), ReportPeriod.Parse(null, null, Now, out _));

    [Fact]
    public void Parse_OnlyTo_30DaysBeforeIt() =>
        Assert.Equal(new ReportPeriod(new(2026, 1, 2, 0, 0, 0, TimeSpan.Zero), new(2026, 2, 1, 0, 0, 0, TimeSpan.Zero)),
            ReportPeriod.Parse(null, "2026-02-01", Now, out _));

    [Theory]
    [InlineData("2026-02-01", "2026-02-01T00:00:00+00:00")]
    [InlineData("2026-02-01T10:30", "2026-02-01T10:30:00+00:00")]
    [InlineData("2026-02-01T10:30:15Z", "2026-02-01T10:30:15+00:00")]
    [InlineData("2026-02-01T10:30:15.5+02:00", "2026-02-01T08:30:15.5+00:00")]
    public void Parse_Iso8601_UtcWhenNoOffset(string from, string expected)
    {
        var period = ReportPeriod.Parse(from, null, Now, out var error);

        Assert.Null(error);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), period!.From);
        Assert.Equal(TimeSpan.Zero, period.From.Offset);
        Assert.Equal(Now, period.To);
    }

    [Theory]
    [InlineData("yesterday", null, "from must be an ISO 8601 date or time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z), not \"yesterday\"")]
    [InlineData("2026-02-30", "13/01/2026", "from must be an ISO 8601 date or time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z), not \"2026-02-30\"; to must be")]
    [InlineData("2026-02-01", "2026-02-01", "from (2026-02-01T00:00:00Z) must be earlier than to (2026-02-01T00:00:00Z)")]
    [InlineData("2026-04-01", null, "from (2026-04-01T00:00:00Z) must be earlier than to (2026-03-01T12:00:00Z)")]
    public void Parse_BadOrEmpty_NullWithEveryError(string? from, string? to, string error)
    {
        Assert.Null(ReportPeriod.Parse(from, to, Now, out var message));
        Assert.StartsWith(error, message, StringComparison.Ordinal);
    }
}
