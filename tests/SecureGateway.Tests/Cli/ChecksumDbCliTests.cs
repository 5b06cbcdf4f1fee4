using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Cli;

/// <summary>The operator commands, run as the operator runs them: the gateway's own executable.</summary>
public sealed class ChecksumDbCliTests
{
    private const string SumGolangOrgKey = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

    // Published by sum.golang.org; quoted in transparency-dev/formats log/note_test.go.
    private const string RealHead =
        "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n" +
        "\u2014 sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n";

    [Fact]
    public async Task VerifyNote_RealSumGolangOrgHead_PrintsTreeAndExits0()
    {
        var file = WriteNote(RealHead);

        var (exit, stdout, _) = await RunAsync("sumdb", "verify-note", "--key", SumGolangOrgKey, file);

        Assert.Equal(0, exit);
        Assert.Equal("verified: sum.golang.org tree 6476701 hash mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n", stdout);
    }

    [Theory]
    [InlineData("6476701", "6476702", "invalid signature")]
    [InlineData("\u2014 sum.golang.org ", "\u2014 sum.golang.com ", "no verifiable signatures")]
    [InlineData("\n\n\u2014", "\n\u2014", "malformed note")]
    public async Task VerifyNote_TamperedHead_ExplainsAndExits1(string original, string tampered, string reason)
    {
        var file = WriteNote(RealHead.Replace(original, tampered, StringComparison.Ordinal));

        var (exit, _, stderr) = await RunAsync("sumdb", "verify-note", "--key", SumGolangOrgKey, file);

        Assert.Equal(1, exit);
        Assert.Contains(reason, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusAndResetHead_AgainstAuditDatabase_ReportAndRecord()
    {
        var connection = await TestPostgres.CreateDatabaseAsync();
        string[] config = [$"--ConnectionStrings:Audit={connection}", $"--Gateway:DataDir={TempDirectory.Create("cli-data")}"];

        var status = await RunAsync(["sumdb", "status", .. config]);
        var refused = await RunAsync(["sumdb", "reset-head", .. config]);
        var reset = await RunAsync(["sumdb", "reset-head", "--confirm", .. config]);

        Assert.Equal(0, status.Exit);
        Assert.Contains("checksum DB: sum.golang.org at https://sum.golang.org/", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("trusted head: none yet", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("alarm: none", status.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, refused.Exit);
        Assert.Equal(0, reset.Exit);
        Assert.Contains("reset: trusted head of sum.golang.org discarded", reset.Stdout, StringComparison.Ordinal);
    }

    private static string WriteNote(string text)
    {
        var file = Path.Combine(TempDirectory.Create("note"), "latest");
        File.WriteAllText(file, text);
        return file;
    }

    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] arguments) => GatewayCli.RunAsync(arguments);
}
