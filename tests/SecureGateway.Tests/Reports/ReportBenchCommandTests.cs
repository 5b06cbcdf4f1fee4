using Npgsql;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Reports;

/// <summary><c>report bench</c> works end to end and leaves nothing behind; its timings are for people, not asserted.</summary>
public sealed class ReportBenchCommandTests
{
    [Fact]
    public async Task ReportBench_SmallHistory_ReportsEveryDecisionAndDropsItsScratchDatabase()
    {
        var connection = await TestPostgres.CreateDatabaseAsync();

        var (exit, stdout, stderr) = await GatewayCli.RunAsync(
            "report", "bench", "--decisions", "450", "--runs", "2", $"--ConnectionStrings:Audit={connection}", $"--Gateway:DataDir={TempDirectory.Create("report-bench")}");

        Assert.True(exit == 0, stderr);
        Assert.Contains("seeded 450 decisions", stderr, StringComparison.Ordinal);
        Assert.Equal(2, stdout.Split('\n').Count(line => line.StartsWith("run ", StringComparison.Ordinal) && line.Contains("report over 450 decisions built in", StringComparison.Ordinal)));
        Assert.Contains("median total", stdout, StringComparison.Ordinal);
        Assert.Equal(0L, await ScratchDatabasesAsync(connection));
    }

    [Fact]
    public async Task ReportBench_NoDecisions_RefusedBeforeTheDatabaseStarts()
    {
        var (exit, _, stderr) = await GatewayCli.RunAsync("report", "bench", "--decisions", "0");

        Assert.Equal(2, exit);
        Assert.Contains("--decisions and --runs must be at least 1", stderr, StringComparison.Ordinal);
    }

    private static async Task<long> ScratchDatabasesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname LIKE 'securegateway\\_bench\\_%'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
