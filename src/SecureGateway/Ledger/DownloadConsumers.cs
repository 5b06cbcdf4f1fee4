using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SecureGateway.Data;

namespace SecureGateway.Ledger;

/// <summary>One client's pulls of a module (or one version of it).</summary>
public sealed record Consumer(
    string Client,
    DateTimeOffset FirstPulled,
    DateTimeOffset LastPulled,
    long Count,
    IReadOnlyList<string> Kinds,
    IReadOnlyList<string> Versions,
    string? UserAgent);

/// <summary>Who pulled a module: the first question in an incident.</summary>
public sealed class DownloadConsumers(IDbContextFactory<AuditDbContext> contexts)
{
    private const string Query = """
        SELECT client, min(time), max(coalesce(last_time, time)), sum(count)::bigint,
               array_agg(DISTINCT kind ORDER BY kind),
               array_agg(DISTINCT version ORDER BY version),
               (array_agg(user_agent ORDER BY coalesce(last_time, time) DESC) FILTER (WHERE user_agent IS NOT NULL))[1]
        FROM downloads
        WHERE module = @module AND (@version::text IS NULL OR version = @version)
        GROUP BY client
        ORDER BY max(coalesce(last_time, time)) DESC, client
        """;

    /// <summary>Every client that pulled <paramref name="module"/> (at <paramref name="version"/> if given), latest pull first; <c>UserAgent</c> is the latest one seen.</summary>
    public async Task<IReadOnlyList<Consumer>> FindAsync(string module, string? version, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = Query;
        command.Parameters.Add(new NpgsqlParameter<string>("module", module));
        command.Parameters.Add(new NpgsqlParameter("version", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)version ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var consumers = new List<Consumer>();
        while (await reader.ReadAsync(cancellationToken))
        {
            consumers.Add(Read(reader));
        }

        return consumers;
    }

    private static Consumer Read(DbDataReader row) => new(
        row.GetString(0),
        row.GetFieldValue<DateTimeOffset>(1),
        row.GetFieldValue<DateTimeOffset>(2),
        row.GetInt64(3),
        row.GetFieldValue<string[]>(4),
        row.GetFieldValue<string[]>(5),
        row.IsDBNull(6) ? null : row.GetString(6));
}
