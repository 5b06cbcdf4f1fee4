using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using SecureGateway.Data.Decisions;

namespace SecureGateway.Audit;

/// <summary>
/// One statement pair, sent in one round trip and run as one implicit transaction: take a version's decision lock for the
/// transaction, then insert the decision unless the version has one newer than the caller last read. The columns and
/// their conversions come from the EF model, so a column added to <see cref="Decision"/> is written here too.
/// </summary>
internal sealed class ConditionalDecisionInsert
{
    // Set by the database (identity, the chain trigger, the clock): read back, never written.
    private static readonly string[] Generated = [nameof(Decision.Id), nameof(Decision.ChainSeq), nameof(Decision.PrevHash), nameof(Decision.RowHash)];

    private readonly IProperty[] written;
    private readonly IProperty time;
    private readonly IProperty[] returned;
    private readonly string sql;

    private ConditionalDecisionInsert(IEntityType decisions)
    {
        var properties = decisions.GetProperties().ToArray();
        time = decisions.FindProperty(nameof(Decision.Time))!;
        returned = [.. Generated.Select(name => decisions.FindProperty(name)!), time];
        written = [.. properties.Where(p => !returned.Contains(p))];
        if (written.Any(p => p.ValueGenerated != ValueGenerated.Never))
        {
            throw new InvalidOperationException($"decisions has a generated column this insert does not know: {string.Join(", ", written.Where(p => p.ValueGenerated != ValueGenerated.Never).Select(p => p.Name))}");
        }

        var table = decisions.GetTableName();
        var columns = string.Join(", ", written.Select(p => p.GetColumnName()));
        var values = string.Join(", ", written.Select(p => "@" + p.Name));
        sql = $"""
            SELECT pg_advisory_xact_lock(@lock);
            INSERT INTO {table} ({columns}, {time.GetColumnName()})
            SELECT {values}, COALESCE(@{time.Name}, now())
            WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE module = @{nameof(Decision.Module)} AND version = @{nameof(Decision.Version)} AND id > @previous)
            RETURNING {string.Join(", ", returned.Select(p => p.GetColumnName()))}
            """;
    }

    public static ConditionalDecisionInsert For(IModel model) =>
        new(model.FindEntityType(typeof(Decision)) ?? throw new InvalidOperationException("the audit model has no decisions"));

    /// <summary>True when <paramref name="decision"/> was inserted (its id, chain links and time are then set on it).</summary>
    public async Task<bool> ExecuteAsync(DbConnection connection, Decision decision, long? previousId, long lockKey, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        Add(command, "lock", lockKey);
        Add(command, "previous", previousId ?? 0);
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
            var value = returned[i] == time ? reader.GetFieldValue<DateTimeOffset>(i)
                : await reader.IsDBNullAsync(i, cancellationToken) ? null
                : reader.GetValue(i);
            returned[i].PropertyInfo!.SetValue(decision, value);
        }

        return true;
    }

    private static void Add(DbCommand command, string name, long value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
