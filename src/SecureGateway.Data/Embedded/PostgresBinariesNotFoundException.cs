namespace SecureGateway.Data.Embedded;

/// <summary>No PostgreSQL server installation was found to run an embedded cluster from.</summary>
public sealed class PostgresBinariesNotFoundException : Exception
{
    public PostgresBinariesNotFoundException()
        : this([])
    {
    }

    public PostgresBinariesNotFoundException(string message)
        : base(message)
    {
    }

    public PostgresBinariesNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PostgresBinariesNotFoundException(IReadOnlyList<string> searchedLocations)
        : base(Describe(searchedLocations)) =>
        SearchedLocations = searchedLocations;

    /// <summary>The directories that were looked at, in the order they were tried.</summary>
    public IReadOnlyList<string> SearchedLocations { get; } = [];

    private static string Describe(IReadOnlyList<string> searchedLocations) =>
        "No PostgreSQL server binaries (initdb, pg_ctl, postgres) were found"
        + (searchedLocations.Count == 0
            ? " (no pg_config or initdb on PATH, nothing under /usr/lib/postgresql)"
            : $" (looked in: {string.Join(", ", searchedLocations)})")
        + ", so the embedded audit database cannot run. Either set ConnectionStrings:Audit to an existing"
        + " PostgreSQL database, install the PostgreSQL server (e.g. `apt-get install postgresql`),"
        + " or start the bundled one with `docker compose up`.";
}
