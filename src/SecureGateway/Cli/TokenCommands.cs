using System.CommandLine;
using SecureGateway.Access;
using SecureGateway.Admin;

namespace SecureGateway.Cli;

/// <summary><c>token create | revoke</c>: API tokens for the admin API or for go clients; the actor is the OS user.</summary>
internal static class TokenCommands
{
    public static Command Create(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var command = new Command("token", "Manage API tokens (stored hashed; the bootstrap Gateway:AdminToken acts as \"admin\").");
        command.Subcommands.Add(CreateToken(withDatabase));
        command.Subcommands.Add(RevokeToken(withDatabase));
        return command;
    }

    private static Command RevokeToken(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var name = new Option<string>("--name") { Description = "The token to end; running gateways stop accepting it at once.", Required = true };
        var command = new Command("revoke", "Revoke a token; its record stays, and the act is recorded.") { name };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => withDatabase([.. parse.UnmatchedTokens], async (app, ct) =>
        {
            var revoked = await app.Services.GetRequiredService<ApiTokens>().RevokeAsync(parse.GetValue(name)!, Actor(), ct);
            if (revoked.Error is not null)
            {
                await Console.Error.WriteLineAsync($"not revoked: {revoked.Error}");
                return 1;
            }

            Console.WriteLine($"token \"{parse.GetValue(name)}\" revoked (audit event {revoked.AuditEventId}).");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static string Actor() => $"{Environment.UserName}@{Environment.MachineName} (cli)";

    private static Command CreateToken(Func<string[], Func<WebApplication, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var name = new Option<string>("--name") { Description = "Who the token is for; recorded as the actor of what it does.", Required = true };
        var roles = new Option<string[]>("--role")
        {
            Description = $"A role to grant (repeat for several): {string.Join(", ", Roles.All.Order(StringComparer.Ordinal))}.",
            Required = true,
        };
        var command = new Command("create", "Create a token and print it once; only its SHA-256 is stored.") { name, roles };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => withDatabase([.. parse.UnmatchedTokens], async (app, ct) =>
        {
            var granted = parse.GetValue(roles)!
                .SelectMany(r => r.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .ToList();
            var created = await app.Services.GetRequiredService<ApiTokens>().CreateAsync(parse.GetValue(name)!, granted, Actor(), ct);
            if (!created.Created)
            {
                await Console.Error.WriteLineAsync($"not created: {created.Error}");
                return 1;
            }

            Console.WriteLine($"token \"{parse.GetValue(name)}\" created with role {string.Join(", ", granted.Distinct())} (audit event {created.AuditEventId}).");
            Console.WriteLine("It is shown only this once; only its hash is stored:");
            Console.WriteLine(created.Token);
            return 0;
        }, cancellationToken));
        return command;
    }
}
