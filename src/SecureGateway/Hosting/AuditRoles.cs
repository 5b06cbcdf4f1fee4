using Npgsql;

namespace SecureGateway.Hosting;

/// <summary>
/// The two database accounts of the audit store. The migration role owns the schema (tables, triggers, functions); the
/// runtime role, which the gateway serves with, may read everything and append to the audit tables but not change or
/// remove a row of them, truncate them, alter them or switch their triggers off: a compromised gateway process, or
/// anyone holding its connection string, cannot rewrite the trail.
/// </summary>
public static class AuditRoles
{
    /// <summary>The runtime role of the embedded cluster (the cluster's superuser is its migration role).</summary>
    public const string EmbeddedRuntimeRole = "securegateway_runtime";

    /// <summary>Append-only: the audit trail itself (decisions, audit events, trusted checksum-DB heads).</summary>
    private static readonly string[] AppendOnly = ["decisions", "audit_events", "checksum_db_heads"];

    /// <summary>Caches and mirrors the gateway keeps current (fact sources, the download ledger's folded rows).</summary>
    private static readonly string[] Maintained = ["vulnerabilities", "module_index", "repository_facts", "fact_syncs", "downloads"];

    /// <summary>
    /// Run as the migration role after migrating: creates the runtime role when it does not exist (with the password of
    /// <paramref name="runtimeConnectionString"/>; with <paramref name="setPassword"/> also when it does) and grants it
    /// exactly what serving needs. Granted afresh at every start, so a table a later migration adds is covered.
    /// </summary>
    public static async Task GrantRuntimeAsync(string migrationConnectionString, string runtimeConnectionString, bool setPassword, CancellationToken cancellationToken)
    {
        var runtime = new NpgsqlConnectionStringBuilder(runtimeConnectionString);
        var role = Identifier(runtime.Username ?? throw new InvalidOperationException("ConnectionStrings:Audit names no Username"));
        var password = Literal(runtime.Password ?? "");
        await using var connection = new NpgsqlConnection(migrationConnectionString);
        await connection.OpenAsync(cancellationToken);
        var database = Identifier(connection.Database);
        var createOrUpdate = setPassword ? $"ALTER ROLE {role} PASSWORD {password};" : "";
        await using var grant = new NpgsqlCommand(
            $"""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {Literal(runtime.Username)}) THEN
                    CREATE ROLE {role} LOGIN PASSWORD {password};
                END IF;
            END $$;
            {createOrUpdate}
            GRANT CONNECT ON DATABASE {database} TO {role};
            GRANT USAGE ON SCHEMA public TO {role};
            REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};
            GRANT SELECT, INSERT ON {string.Join(", ", AppendOnly)} TO {role};
            GRANT SELECT, INSERT, UPDATE (revoked_at, revoked_by) ON api_tokens TO {role};
            GRANT SELECT, INSERT ON data_protection_keys TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON {string.Join(", ", Maintained)} TO {role};
            GRANT SELECT ON "__EFMigrationsHistory" TO {role};
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
            """,
            connection);
        await grant.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Why the account the gateway serves with could rewrite the audit trail (a superuser, or the owner of its tables),
    /// or null when it cannot.
    /// </summary>
    public static async Task<string?> RuntimeWeaknessAsync(string runtimeConnectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(runtimeConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var check = new NpgsqlCommand(
            """
            SELECT current_user, r.rolsuper, pg_has_role(current_user, c.relowner, 'USAGE')
            FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = 'decisions'::regclass
            """,
            connection);
        await using var reader = await check.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (user, superuser, owner) = (reader.GetString(0), reader.GetBoolean(1), reader.GetBoolean(2));
        return superuser ? $"the gateway connects as {user}, a superuser: it could switch the audit triggers off and rewrite the trail"
            : owner ? $"the gateway connects as {user}, which owns the audit tables: it could switch their triggers off and rewrite the trail"
            : null;
    }

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
