using System.CommandLine;
using SecureGateway.Data.Embedded;
using SecureGateway.Hosting;

namespace SecureGateway.Cli;

/// <summary>
/// The command line. Options it does not know (e.g. <c>--Gateway:Upstream=file:///mirror</c>) are passed on
/// to ASP.NET Core configuration, so every configuration key can also be given on the command line.
/// </summary>
internal static class GatewayCommands
{
    public static RootCommand Create()
    {
        var root = new RootCommand("SecureGateway: a Go module proxy (GOPROXY) that verifies and records every module version before serving it.");
        root.Subcommands.Add(Serve());
        root.Subcommands.Add(Migrate());
        root.Subcommands.Add(ChecksumDbCommands.Create(JoinedDatabase));
        root.Subcommands.Add(TokenCommands.Create(JoinedDatabase));
        root.Subcommands.Add(AuditCommands.Create(JoinedDatabase));
        root.Subcommands.Add(ReportCommands.Create(JoinedDatabase));
        foreach (var command in PolicyCommands.Create(JoinedDatabase).Concat(ReviewCommands.Create(JoinedDatabase)))
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    private static Command Serve()
    {
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on (default http://localhost:8080)." };
        var command = new Command("serve", "Run the GOPROXY endpoint, admin API and health checks.") { urls };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => WithDatabaseAsync(HostArguments(parse, urls), ownServer: true, async (app, ct) =>
        {
            await app.StartAsync(ct);
            await app.WaitForShutdownAsync(ct);
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Migrate()
    {
        var command = new Command("migrate", "Apply the audit database migrations, then exit.");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) =>
            WithDatabaseAsync([.. parse.UnmatchedTokens], ownServer: false, (_, _) => Task.FromResult(0), cancellationToken));
        return command;
    }

    /// <summary>
    /// Builds the gateway, starts its database, then runs <paramref name="work"/>; a missing database is a message, not a
    /// stack trace. Only <c>serve</c> owns an embedded server; other commands use the one a running gateway started.
    /// </summary>
    private static async Task<int> WithDatabaseAsync(
        string[] hostArguments, bool ownServer, Func<WebApplication, CancellationToken, Task<int>> work, CancellationToken cancellationToken)
    {
        WebApplication app;
        try
        {
            app = GatewayApp.Create(hostArguments);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"configuration error: {e.Message}");
            return 1;
        }

        await using (app)
        {
            try
            {
                await app.StartDatabaseAsync(cancellationToken, joinRunningServer: !ownServer);
            }
            catch (Exception e) when (e is PostgresBinariesNotFoundException or EmbeddedPostgresException)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 1;
            }

            return await work(app, cancellationToken);
        }
    }

    /// <summary>For commands beside a running gateway: they use its embedded database server rather than restart it.</summary>
    private static Task<int> JoinedDatabase(string[] arguments, Func<WebApplication, CancellationToken, Task<int>> work, CancellationToken cancellationToken) =>
        WithDatabaseAsync(arguments, ownServer: false, work, cancellationToken);

    private static string[] HostArguments(ParseResult parse, Option<string> urls) =>
        parse.GetValue(urls) is { } value ? [.. parse.UnmatchedTokens, "--urls", value] : [.. parse.UnmatchedTokens];
}
