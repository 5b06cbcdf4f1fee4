using System.Text;
using SecureGateway.Cli;
using SecureGateway.Tests.Infrastructure;
using static SecureGateway.Tests.Reports.ReportDatabase;

namespace SecureGateway.Tests.Reports;

/// <summary>
/// <c>report</c> run through its System.CommandLine command, with a <c>withDatabase</c> that hands it a
/// <see cref="ReportHost"/> (the gateway's hands it the gateway, built and with its database started).
/// </summary>
public sealed class ReportCommandTests(ReportDatabase database) : IClassFixture<ReportDatabase>
{
    private readonly List<string[]> hostArguments = [];

    [Theory]
    [InlineData("html", "<!DOCTYPE html>")]
    [InlineData("csv", "\uFEFFsection,key,value,id,module,version,time,until,actor,detail\r\nreport,from,,,,,2026-02-01T00:00:00Z,")]
    [InlineData("json", "{\n  \"period\": {\n    \"from\": \"2026-02-01T00:00:00+00:00\"")]
    public async Task Report_FormatAndOut_WritesTheFile(string format, string start)
    {
        var file = Path.Combine(TempDirectory.Create("report-cli"), $"report.{format}");

        var exit = await RunAsync("--from", "2026-02-01", "--to", "2026-03-01", "--format", format, "--out", file, "--Gateway:DataDir=/tmp/x");

        Assert.Equal(0, exit);
        Assert.StartsWith(start, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)), StringComparison.Ordinal); // the BOM kept
        Assert.Equal(["--Gateway:DataDir=/tmp/x"], Assert.Single(hostArguments));
    }

    [Fact]
    public async Task Report_BadPeriod_Exit2WithoutStartingTheGateway()
    {
        Assert.Equal(2, await RunAsync("--from", "2026-03-01", "--to", "2026-02-01"));
        Assert.Empty(hostArguments);
    }

    [Fact]
    public async Task Report_UnknownFormat_RefusedByTheParser()
    {
        Assert.NotEqual(0, await RunAsync("--format", "pdf"));
        Assert.Empty(hostArguments);
    }

    private async Task<int> RunAsync(params string[] arguments)
    {
        var command = ReportCommands.Create(async (args, work, ct) =>
        {
            hostArguments.Add(args);
            await using var app = ReportHost.Create(database.ConnectionString, Now);
            return await work(app, ct);
        });
        return await command.Parse(arguments).InvokeAsync();
    }
}
