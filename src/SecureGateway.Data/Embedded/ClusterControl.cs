using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Extensions.Logging;

namespace SecureGateway.Data.Embedded;

/// <summary>initdb and pg_ctl for one data directory, run as the <see cref="ServerAccount"/>.</summary>
internal sealed class ClusterControl(
    PostgresBinaries binaries, ServerAccount account, string dataDirectory, EmbeddedPostgresOptions options)
{
    /// <summary>The superuser initdb creates, whatever the operating-system account.</summary>
    public const string Superuser = "postgres";

    public const string LogFileName = "embedded-postgres.log";

    private const int WaitSeconds = 60;
    private const int StartAttempts = 3;
    private const long LogRotationBytes = 16 * 1024 * 1024;
    private const int LogTailLines = 40;
    private static readonly TimeSpan InitDbTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan PgCtlTimeout = TimeSpan.FromSeconds(WaitSeconds + 30);

    public string DataDirectory => dataDirectory;

    public string LogFile => Path.Combine(dataDirectory, LogFileName);

    public ServerAccount Account => account;

    public bool IsInitialized => File.Exists(Path.Combine(dataDirectory, "PG_VERSION"));

    /// <summary>The cluster's major version, as initdb recorded it.</summary>
    public string Version => File.ReadAllText(Path.Combine(dataDirectory, "PG_VERSION")).Trim();

    /// <summary>Creates the cluster: scram-sha-256 for every connection, UTF-8, C locale, a new random superuser password.</summary>
    [UnsupportedOSPlatform("windows")]
    public async Task InitializeAsync(ILogger logger, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(dataDirectory)!);
        Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        account.EnsureCanReach(dataDirectory, logger);
        await account.TakeOwnershipAsync(dataDirectory, ct).ConfigureAwait(false);

        // initdb reads the password from a file; it cannot sit in the data directory, which must be empty.
        var password = SuperuserPassword.Generate();
        var scratch = Directory.CreateTempSubdirectory("securegateway-initdb-");
        try
        {
            var passwordFile = Path.Combine(scratch.FullName, "pwfile");
            SuperuserPassword.WriteFile(passwordFile, password);
            account.EnsureCanReach(scratch.FullName, logger);
            await account.TakeOwnershipAsync(scratch.FullName, ct).ConfigureAwait(false);
            await account.TakeOwnershipAsync(passwordFile, ct).ConfigureAwait(false);

            List<string> arguments =
            [
                "-D", dataDirectory,
                $"--username={Superuser}",
                $"--pwfile={passwordFile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--no-locale",
            ];
            if (!options.Durable)
            {
                arguments.Add("--no-sync");
            }

            var result = await account.RunAsync(binaries.InitDb, arguments, InitDbTimeout, ct).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new EmbeddedPostgresException(
                    $"initdb could not create a PostgreSQL cluster in {dataDirectory} (exit code {result.ExitCode}):"
                    + Environment.NewLine + result.Output);
            }
        }
        finally
        {
            scratch.Delete(recursive: true);
        }

        SuperuserPassword.Store(dataDirectory, password);
    }

    /// <summary>
    /// Deals with what a previous run left: a server still running is stopped (it listens on a port
    /// nobody knows any more); a postmaster.pid whose PID was reused is removed, or PostgreSQL would refuse to start.
    /// </summary>
    public async Task HandleLeftoverAsync(ILogger logger, CancellationToken ct)
    {
        var (state, pid) = PostmasterPidFile.Inspect(dataDirectory);
        switch (state)
        {
            case LeftoverServer.Running:
                EmbeddedPostgresLog.StoppingLeftoverServer(logger, pid, dataDirectory);
                await StopAsync(wait: true, ct).ConfigureAwait(false);
                break;
            case LeftoverServer.Crashed:
                EmbeddedPostgresLog.RecoveringAfterCrash(logger, pid, dataDirectory);
                break;
            case LeftoverServer.Foreign:
                EmbeddedPostgresLog.RemovingForeignPidFile(logger, pid, dataDirectory);
                File.Delete(PostmasterPidFile.PathIn(dataDirectory));
                break;
        }
    }

    /// <summary>Starts the server on a free loopback port and waits until it accepts connections; returns the port.</summary>
    /// <exception cref="EmbeddedPostgresException">pg_ctl failed; the message holds its output and the server log of this attempt.</exception>
    public async Task<int> StartAsync(ILogger logger, CancellationToken ct)
    {
        RotateLog();
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            var logOffset = File.Exists(LogFile) ? new FileInfo(LogFile).Length : 0;
            string[] arguments =
                ["start", "-D", dataDirectory, "-w", "-t", $"{WaitSeconds}", "-l", LogFile, "-o", ServerOptions(port)];
            var result = await account.RunAsync(binaries.PgCtl, arguments, PgCtlTimeout, ct).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return port;
            }

            // The port was free when chosen; another process may have taken it since.
            var log = ReadLogFrom(logOffset);
            if (attempt < StartAttempts && log.Contains("could not bind", StringComparison.Ordinal))
            {
                EmbeddedPostgresLog.PortTaken(logger, port);
                continue;
            }

            throw new EmbeddedPostgresException(
                $"PostgreSQL did not start from {dataDirectory} on 127.0.0.1:{port} (pg_ctl exit code {result.ExitCode}):"
                + Environment.NewLine + result.Output
                + Environment.NewLine + $"--- last lines of the server log {LogFile} ---"
                + Environment.NewLine + Tail(log, LogTailLines));
        }
    }

    /// <summary>pg_ctl stop -m fast: running transactions are rolled back, connections closed, the data left consistent.</summary>
    /// <param name="wait">Wait until the server is down (-w), or only signal it (-W).</param>
    public async Task StopAsync(bool wait, CancellationToken ct)
    {
        string[] arguments = ["stop", "-D", dataDirectory, "-m", "fast", wait ? "-w" : "-W", "-t", $"{WaitSeconds}"];
        var result = await account.RunAsync(binaries.PgCtl, arguments, PgCtlTimeout, ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new EmbeddedPostgresException(
                $"pg_ctl could not stop the PostgreSQL server of {dataDirectory} (exit code {result.ExitCode}):"
                + Environment.NewLine + result.Output);
        }
    }

    /// <remarks>
    /// pg_ctl hands -o to /bin/sh, so this string holds only constants and a port number.
    /// unix_socket_directories='' (the shell's empty string) means no Unix socket at all: nothing
    /// to collide with other clusters, and no 107-byte socket path limit for deep data directories.
    /// </remarks>
    private string ServerOptions(int port)
    {
        var settings = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"-p {port}")
            .Append(" -c listen_addresses=127.0.0.1")
            .Append(" -c unix_socket_directories=''")
            .Append(CultureInfo.InvariantCulture, $" -c max_connections={options.MaxConnections}");
        if (!options.Durable)
        {
            settings.Append(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }

        return settings.ToString();
    }

    /// <summary>A port the OS just handed out on 127.0.0.1 (released again for the server to bind).</summary>
    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>pg_ctl -l appends across runs; past a size, the old log moves aside (one generation kept).</summary>
    private void RotateLog()
    {
        if (File.Exists(LogFile) && new FileInfo(LogFile).Length > LogRotationBytes)
        {
            File.Move(LogFile, LogFile + ".1", overwrite: true);
        }
    }

    private string ReadLogFrom(long offset)
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"(server log unreadable: {e.Message})";
        }
    }

    private static string Tail(string text, int lines) =>
        string.Join(Environment.NewLine, text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).TakeLast(lines));
}
