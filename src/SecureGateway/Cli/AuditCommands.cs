using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using SecureGateway.Audit;

namespace SecureGateway.Cli;

/// <summary><c>audit verify</c>: walks the audit hash chains, as <c>GET /admin/audit/verify</c> does.</summary>
internal static class AuditCommands
{
    /// <summary>As the admin API writes JSON (ASP.NET Core's defaults), so <c>--json</c> prints what the API returns.</summary>
    private static readonly JsonSerializerOptions ApiJson = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var command = new Command("audit", "Check the tamper-evident audit trail.");
        command.Subcommands.Add(Verify(withDatabase));
        return command;
    }

    private static Command Verify(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var json = new Option<bool>("--json") { Description = "Print the result as the admin API returns it." };
        var command = new Command("verify", "Recompute the hash chains of decisions and audit events; exit 0 when intact, 1 when broken.") { json };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => withDatabase([.. parse.UnmatchedTokens], async (app, ct) =>
        {
            var result = await app.Services.GetRequiredService<AuditChain>().VerifyAsync(ct);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(result, ApiJson));
            }
            else if (result.Ok)
            {
                Console.WriteLine($"ok: {result.Rows} rows in {string.Join(" and ", AuditChain.Tables)}, every hash recomputed and linked");
            }
            else
            {
                Console.WriteLine($"BROKEN: {result.Table} row {result.FirstBroken} is the first that does not verify ({result.Rows} rows)");
                Console.WriteLine($"reason: {result.Reason}");
            }

            return result.Ok ? 0 : 1;
        }, cancellationToken));
        return command;
    }
}
