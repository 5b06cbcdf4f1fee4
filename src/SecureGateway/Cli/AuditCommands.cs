using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using SecureGateway.Audit;
using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Cli;

/// <summary><c>audit verify</c>: walks the audit hash chains, as <c>GET /admin/audit/verify</c> does, and holds them to signed checkpoints; <c>audit checkpoint</c>.</summary>
internal static class AuditCommands
{
    /// <summary>As the admin API writes JSON (ASP.NET Core's defaults), so <c>--json</c> prints what the API returns.</summary>
    private static readonly JsonSerializerOptions ApiJson = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var command = new Command("audit", "Check the tamper-evident audit trail.");
        command.Subcommands.Add(Verify(withDatabase));
        command.Subcommands.Add(Checkpoint(withDatabase));
        return command;
    }

    private static Command Verify(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var json = new Option<bool>("--json") { Description = "Print the result as the admin API returns it." };
        var checkpointFile = new Option<FileInfo?>("--checkpoint")
        {
            Description = "A file of signed audit checkpoints (as Gateway:Audit:CheckpointTo appends them): the database must still extend every one.",
        };
        var key = new Option<string?>("--key")
        {
            Description = "The verifier key of the checkpoints (name+hash+key); default: the one of this gateway's checkpoint key.",
        };
        var command = new Command("verify", "Recompute the audit hash chains (and check them against signed checkpoints); exit 0 when intact, 1 when broken.")
        {
            json, checkpointFile, key,
        };
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
                Console.WriteLine($"ok: {result.Rows} rows in {string.Join(", ", AuditChain.Tables)}, every hash recomputed and linked");
            }
            else
            {
                Console.WriteLine($"BROKEN: {result.Table} row {result.FirstBroken} is the first that does not verify ({result.Rows} rows)");
                Console.WriteLine($"reason: {result.Reason}");
            }

            return parse.GetValue(checkpointFile) is { } file
                ? await CheckCheckpointsAsync(app.Services.GetRequiredService<AuditCheckpoints>(), file, parse.GetValue(key), result.Ok, ct)
                : result.Ok ? 0 : 1;
        }, cancellationToken));
        return command;
    }

    private static async Task<int> CheckCheckpointsAsync(AuditCheckpoints checkpoints, FileInfo file, string? key, bool chainOk, CancellationToken cancellationToken)
    {
        if (!NoteVerifier.TryParse(key ?? checkpoints.VerifierKey, out var verifier, out var error))
        {
            await Console.Error.WriteLineAsync($"--key: {error}");
            return 1;
        }

        string text;
        try
        {
            text = await File.ReadAllTextAsync(file.FullName, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"--checkpoint {file.FullName}: {e.Message}");
            return 1;
        }

        var results = await checkpoints.CheckAsync(AuditCheckpoints.Split(text), verifier, cancellationToken);
        foreach (var check in results)
        {
            Console.WriteLine(check.Extended ? $"checkpoint {check.Time}: extended" : $"checkpoint {check.Time}: NOT EXTENDED: {check.Problem}");
        }

        if (results.Count == 0)
        {
            Console.WriteLine($"no checkpoint in {file.FullName}");
        }

        return chainOk && results.Count > 0 && results.All(r => r.Extended) ? 0 : 1;
    }

    private static Command Checkpoint(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var verifierKey = new Option<bool>("--verifier-key") { Description = "Print the verifier key of this gateway's checkpoints instead." };
        var command = new Command("checkpoint", "Print a signed checkpoint of the audit chains now (as GET /admin/audit/checkpoint).") { verifierKey };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => withDatabase([.. parse.UnmatchedTokens], async (app, ct) =>
        {
            var checkpoints = app.Services.GetRequiredService<AuditCheckpoints>();
            Console.Write(parse.GetValue(verifierKey) ? checkpoints.VerifierKey + "\n" : (await checkpoints.CreateAsync(ct)).Note);
            return 0;
        }, cancellationToken));
        return command;
    }
}
