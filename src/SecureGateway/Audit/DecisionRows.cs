using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using SecureGateway.Data.Decisions;

namespace SecureGateway.Audit;

/// <summary>
/// Decisions read and written in plain SQL where a round trip matters (an admission's claim and record), with the
/// columns and conversions of the EF model: a column added to <see cref="Decision"/> is read and written here too.
/// </summary>
internal sealed class DecisionRows
{
    // Set by the database (identity, the chain trigger, the clock): read back, never written.
    private static readonly string[] Generated = [nameof(Decision.Id), nameof(Decision.ChainSeq), nameof(Decision.PrevHash), nameof(Decision.RowHash)];

    private readonly IProperty[] all;
    private readonly IProperty[] written;
    private readonly IProperty time;
    private readonly IProperty[] returned;
    private readonly string insertUnlessSuperseded;
    private readonly string latest;

    private DecisionRows(IEntityType decisions)
    {
        all = [.. decisions.GetProperties()];
        time = decisions.FindProperty(nameof(Decision.Time))!;
        returned = [.. Generated.Select(name => decisions.FindProperty(name)!), time];
        written = [.. all.Where(p => !returned.Contains(p))];
        if (written.Any(p => p.ValueGenerated != ValueGenerated.Never))
        {
            throw new InvalidOperationException($"decisions has a generated column these statements do not know: {string.Join(", ", written.Where(p => p.ValueGenerated != ValueGenerated.Never).Select(p => p.Name))}");
        }

        var table = decisions.GetTableName();
        var columns = string.Join(", ", written.Select(p => p.GetColumnName()));
        var values = string.Join(", ", written.Select(p => "@" + p.Name));
        // One round trip, one implicit transaction: the version's decision lock for the transaction, then the insert
        // unless a decision newer than the caller last read came meanwhile.
        insertUnlessSuperseded = $"""
            SELECT pg_advisory_xact_lock(@lock);
            INSERT INTO {table} ({columns}, {time.GetColumnName()})
            SELECT {values}, COALESCE(@{time.Name}, now())
            WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE module = @{nameof(Decision.Module)} AND version = @{nameof(Decision.Version)} AND id > @previous)
            RETURNING {string.Join(", ", returned.Select(p => p.GetColumnName()))}
            """;
        latest = $"SELECT {string.Join(", ", all.Select(p => p.GetColumnName()))} FROM {table} WHERE module = $1 AND version = $2 ORDER BY id DESC LIMIT 1";
    }

    public static DecisionRows For(IModel model) =>
        new(model.FindEntityType(typeof(Decision)) ?? throw new InvalidOperationException("the audit model has no decisions"));

    /// <summary>True when <paramref name="decision"/> was inserted (its id, chain links and time are then set on it).</summary>
    public async Task<bool> InsertUnlessSupersededAsync(DbConnection connection, Decision decision, long? previousId, long lockKey, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = insertUnlessSuperseded;
        command.Parameters.Add(new NpgsqlParameter("lock", lockKey));
        command.Parameters.Add(new NpgsqlParameter("previous", previousId ?? 0));
        foreach (var property in written)
        {
            command.Parameters.Add(property.GetRelationalTypeMapping().CreateParameter(command, property.Name, property.GetGetter().GetClrValue(decision), property.IsNullable));
        }

        var at = (DateTimeOffset)time.GetGetter().GetClrValue(decision)!;
        command.Parameters.Add(time.GetRelationalTypeMapping().CreateParameter(command, time.Name, at == default ? null : at, nullable: true));

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return false;
        }

        for (var i = 0; i < returned.Length; i++)
        {
            returned[i].PropertyInfo!.SetValue(decision, await ValueAsync(reader, i, returned[i], cancellationToken));
        }

        return true;
    }

    /// <summary>The version's latest decision, as a statement to batch and the reading of its result.</summary>
    public (NpgsqlBatchCommand Command, Func<NpgsqlDataReader, CancellationToken, Task<Decision?>> Read) Latest(string module, string version) =>
        (new NpgsqlBatchCommand(latest) { Parameters = { new() { Value = module }, new() { Value = version } } }, ReadOneAsync);

    private async Task<Decision?> ReadOneAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var decision = new Decision { Module = "", Version = "", Actor = "" };
        for (var i = 0; i < all.Length; i++)
        {
            all[i].PropertyInfo!.SetValue(decision, await ValueAsync(reader, i, all[i], cancellationToken));
        }

        return decision;
    }

    /// <summary>Column <paramref name="ordinal"/> as the property holds it: converted from the provider's value, timestamps as UTC offsets.</summary>
    private static async Task<object?> ValueAsync(DbDataReader reader, int ordinal, IProperty property, CancellationToken cancellationToken)
    {
        if (await reader.IsDBNullAsync(ordinal, cancellationToken))
        {
            return null;
        }

        if ((Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType) == typeof(DateTimeOffset))
        {
            return reader.GetFieldValue<DateTimeOffset>(ordinal);
        }

        var value = reader.GetValue(ordinal);
        try
        {
            return property.GetRelationalTypeMapping().Converter is { } converter ? converter.ConvertFromProvider(value) : value;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            // As EF reports a value it cannot read: the admission then fails closed as on any unreadable database.
            throw new InvalidOperationException($"decisions.{property.GetColumnName()} holds a value the gateway cannot read: {e.Message}", e);
        }
    }
}
