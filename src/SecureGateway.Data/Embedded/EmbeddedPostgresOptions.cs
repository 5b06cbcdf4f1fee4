namespace SecureGateway.Data.Embedded;

/// <summary>How <see cref="EmbeddedPostgres"/> runs its private cluster.</summary>
public sealed record EmbeddedPostgresOptions
{
    /// <summary>
    /// Keep PostgreSQL's crash safety (the default, and what the gateway uses). Tests set this to
    /// <see langword="false"/>: initdb skips its fsync and the server runs with fsync,
    /// synchronous_commit and full_page_writes off, so a crash of the machine may lose or corrupt data.
    /// </summary>
    public bool Durable { get; init; } = true;

    /// <summary>
    /// The directory holding initdb, pg_ctl and postgres. When set, it is the only place looked at
    /// (no pg_config, /usr/lib/postgresql or PATH search); when <see langword="null"/>, the binaries are searched.
    /// </summary>
    public string? BinDirectory { get; init; }

    /// <summary>
    /// When a live server already serves the data directory (a running gateway), use it instead of stopping it, and
    /// leave it running on dispose. For short-lived commands beside a running gateway; the gateway itself owns its server.
    /// </summary>
    public bool JoinRunning { get; init; }

    /// <summary>
    /// PostgreSQL's max_connections. The default suits one gateway; a test run starts dozens of gateways, each with its
    /// own connection pool, against one cluster.
    /// </summary>
    public int MaxConnections { get; init; } = 100;
}
