using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace SecureGateway.Data;

public static class AuditConnections
{
    /// <summary>
    /// Runs <paramref name="work"/> on a connection of the audit pool, opened for it and given back afterwards: for the
    /// statements sent in plain SQL where a round trip matters.
    /// </summary>
    public static async Task<T> WithConnectionAsync<T>(
        this IDbContextFactory<AuditDbContext> contexts, Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            return await work((NpgsqlConnection)db.Database.GetDbConnection());
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
