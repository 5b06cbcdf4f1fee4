using System.CommandLine;
using Microsoft.Extensions.Options;
using SecureGateway.Hosting;
using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Cli;

/// <summary><c>sumdb verify-note | status | reset-head</c>: the operator's view of the checksum database.</summary>
internal static class ChecksumDbCommands
{
    public static Command Create(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var command = new Command("sumdb", "Inspect checksum-database notes, the trusted tree head and the fork alarm.");
        command.Subcommands.Add(VerifyNote());
        command.Subcommands.Add(Status(withDatabase));
        command.Subcommands.Add(ResetHead(withDatabase));
        return command;
    }

    private static Command VerifyNote()
    {
        var key = new Option<string>("--key") { Description = "Verifier key, name+hash+base64 (as in GOSUMDB).", Required = true };
        var file = new Argument<FileInfo>("FILE") { Description = "A signed tree note, e.g. the body of https://sum.golang.org/latest." };
        var command = new Command("verify-note", "Verify a signed tree head; prints what it attests or exactly why it fails.") { key, file };
        command.SetAction(parse =>
        {
            try
            {
                var verifier = NoteVerifier.Parse(parse.GetValue(key)!);
                var note = Notes.Open(File.ReadAllBytes(parse.GetValue(file)!.FullName), [verifier]);
                var tree = TreeHead.Parse(System.Text.Encoding.UTF8.GetBytes(note.Text));
                Console.WriteLine($"verified: {verifier.Name} tree {tree.N} hash {tree.Hash}");
                return 0;
            }
            catch (Exception e) when (e is FormatException or NoteException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"not verified: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static Command Status(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var command = new Command("status", "Show the trusted tree head, when it was last verified, and the fork alarm.");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => withDatabase([.. parse.UnmatchedTokens], async (app, ct) =>
        {
            var settings = app.Services.GetRequiredService<SumDbSettings>();
            if (settings.Disabled)
            {
                Console.WriteLine("checksum DB: off (Gateway:SumDb=off) — admissions are not verified against a checksum database");
                return 0;
            }

            var heads = app.Services.GetRequiredService<TrustedHeads>();
            var head = await heads.TrustedAsync(settings.Name, ct);
            var fork = await heads.ActiveForkAsync(settings.Name, ct);
            Console.WriteLine($"checksum DB: {settings.Name} at {settings.Url}");
            Console.WriteLine(head is null
                ? "trusted head: none yet (the next verified head is trusted)"
                : $"trusted head: tree {head.TreeSize} hash {head.TreeHash}, last advanced by a verified consistency proof at {head.VerifiedAt:u}");
            Console.WriteLine(fork is null
                ? "alarm: none"
                : $"alarm: FORK since {fork.Time:u} (audit event {fork.Id}): {fork.Summary}; admissions stopped");
            var privatePatterns = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.NoSumDb;
            Console.WriteLine($"private patterns (Gateway:NoSumDb): {(string.IsNullOrEmpty(privatePatterns) ? "none" : privatePatterns)}");
            return fork is null ? 0 : 3;
        }, cancellationToken));
        return command;
    }

    private static Command ResetHead(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var confirm = new Option<bool>("--confirm") { Description = "Required: discard the trusted head and clear the fork alarm." };
        var command = new Command("reset-head", "After investigating a fork: trust the next verified head afresh and resume admissions (recorded).") { confirm };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) =>
        {
            if (!parse.GetValue(confirm))
            {
                Console.Error.WriteLine("refusing: reset-head discards the trusted checksum-DB head; run again with --confirm");
                return Task.FromResult(2);
            }

            return withDatabase([.. parse.UnmatchedTokens], async (app, ct) =>
            {
                var settings = app.Services.GetRequiredService<SumDbSettings>();
                var reset = await app.Services.GetRequiredService<TrustedHeads>()
                    .RecordResetAsync(settings.Name, $"{Environment.UserName}@{Environment.MachineName} (cli)", ct);
                app.Services.GetRequiredService<ChecksumDbTiles>().Clear();
                Console.WriteLine($"reset: trusted head of {settings.Name} discarded, alarm cleared (audit event {reset.Id})");
                return 0;
            }, cancellationToken);
        });
        return command;
    }
}
