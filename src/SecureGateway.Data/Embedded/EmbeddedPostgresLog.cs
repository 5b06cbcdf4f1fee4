using Microsoft.Extensions.Logging;

namespace SecureGateway.Data.Embedded;

internal static partial class EmbeddedPostgresLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information,
        Message = "Using an embedded PostgreSQL {Version} cluster: data in {DataDirectory}, listening on 127.0.0.1:{Port},"
            + " running as {Account}, binaries from {BinDirectory}")]
    public static partial void Started(
        ILogger logger, string version, string dataDirectory, int port, string account, string binDirectory);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information,
        Message = "Creating a new embedded PostgreSQL cluster in {DataDirectory} (owner: {Account})")]
    public static partial void Initializing(ILogger logger, string dataDirectory, string account);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information,
        Message = "Created the embedded PostgreSQL cluster in {DataDirectory} in {ElapsedMilliseconds} ms; its superuser password is in {PasswordFile} there")]
    public static partial void Initialized(ILogger logger, string dataDirectory, long elapsedMilliseconds, string passwordFile);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning,
        Message = "The embedded PostgreSQL runs without durability (fsync, synchronous_commit and full_page_writes off):"
            + " a machine crash can lose or corrupt its data. Meant for tests only.")]
    public static partial void NotDurable(ILogger logger);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning,
        Message = "Added the search permission for others (o+x) to {Directory} so the '{Account}' user can reach the data directory")]
    public static partial void MadeTraversable(ILogger logger, string directory, string account);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning,
        Message = "A PostgreSQL server of a previous run (PID {Pid}) still serves {DataDirectory}; stopping it first")]
    public static partial void StoppingLeftoverServer(ILogger logger, int pid, string dataDirectory);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning,
        Message = "The PostgreSQL server of {DataDirectory} (PID {Pid}) did not shut down cleanly; it will recover on start")]
    public static partial void RecoveringAfterCrash(ILogger logger, int pid, string dataDirectory);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Warning,
        Message = "Removing the stale postmaster.pid of {DataDirectory}: PID {Pid} is not its server (reused after a crash)")]
    public static partial void RemovingForeignPidFile(ILogger logger, int pid, string dataDirectory);

    [LoggerMessage(EventId = 4108, Level = LogLevel.Warning,
        Message = "Port {Port} was taken before PostgreSQL could bind it; trying another")]
    public static partial void PortTaken(ILogger logger, int port);

    [LoggerMessage(EventId = 4109, Level = LogLevel.Information,
        Message = "Stopped the embedded PostgreSQL cluster of {DataDirectory}")]
    public static partial void Stopped(ILogger logger, string dataDirectory);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Error,
        Message = "Could not stop the embedded PostgreSQL cluster of {DataDirectory}")]
    public static partial void StopFailed(ILogger logger, Exception exception, string dataDirectory);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Information, Message = "Joined the embedded PostgreSQL server already running for {DataDirectory} on 127.0.0.1:{Port}; it is left running")]
    public static partial void Joined(ILogger logger, string dataDirectory, int port);
}
