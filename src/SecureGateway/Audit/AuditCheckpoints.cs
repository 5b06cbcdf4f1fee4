using System.Data;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using SecureGateway.Data;
using SecureGateway.Hosting;
using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Audit;

/// <summary>One chain's end as a checkpoint saw it: its length and its last row's hash.</summary>
public sealed record ChainHead(string Table, long Length, string RowHash);

/// <summary>A signed checkpoint (the note's text and signature) and the chain ends it holds.</summary>
public sealed record AuditCheckpoint(string Note, IReadOnlyList<ChainHead> Heads);

/// <summary>Whether the database still extends one checkpoint, and if not, where it departs.</summary>
public sealed record CheckpointCheck(string Time, bool Extended, string? Problem);

/// <summary>
/// Signed checkpoints of the audit chains: each chain's length and last row hash, with the time, as a signed note
/// (Go's note format, Ed25519) under a key kept outside the database. A database that still extends every checkpoint
/// it was given cannot have been rewritten from some row onward or cut at the end since, even by an account that
/// can recompute the hashes: only the key holder can sign a checkpoint of the rewritten chain.
/// </summary>
public sealed partial class AuditCheckpoints
{
    public const string Origin = "SecureGateway audit checkpoint";
    private const string DefaultKeyName = "securegateway-audit";

    private readonly IDbContextFactory<AuditDbContext> contexts;
    private readonly Lazy<NoteSigner> signer;
    private readonly TimeProvider time;

    public AuditCheckpoints(
        IDbContextFactory<AuditDbContext> contexts, IOptions<AuditCheckpointOptions> options, IOptions<GatewayOptions> gateway, TimeProvider time,
        ILogger<AuditCheckpoints> logger)
    {
        this.contexts = contexts;
        this.time = time;

        // Read (or created) when first needed: checking checkpoints against a given verifier key needs no signer key.
        signer = new Lazy<NoteSigner>(() => LoadKey(options.Value, gateway.Value.DataDir, logger));
    }

    /// <summary>The public key that verifies this gateway's checkpoints (<c>name+hash+key</c>): keep a copy where the checkpoints go.</summary>
    public string VerifierKey => signer.Value.VerifierKey;

    /// <summary>Signs a checkpoint of the chains as they are now (one consistent snapshot).</summary>
    public async Task<AuditCheckpoint> CreateAsync(CancellationToken cancellationToken)
    {
        var heads = await HeadsAsync(cancellationToken);
        var text = new StringBuilder(Origin).Append('\n');
        foreach (var head in heads)
        {
            text.Append(CultureInfo.InvariantCulture, $"{head.Table} {head.Length} {head.RowHash}\n");
        }

        text.Append(time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append('\n');
        return new AuditCheckpoint(Encoding.UTF8.GetString(Notes.Sign(text.ToString(), signer.Value)), heads);
    }

    /// <summary>
    /// Checks each checkpoint's signature against <paramref name="verifier"/>, then that every chain still holds the row
    /// the checkpoint ends at with the same hash. Run after <see cref="AuditChain.VerifyAsync"/>: a chain that verifies
    /// and passes through every checkpointed row extends every checkpoint.
    /// </summary>
    public async Task<IReadOnlyList<CheckpointCheck>> CheckAsync(IReadOnlyList<string> checkpoints, NoteVerifier verifier, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        var results = new List<CheckpointCheck>();
        foreach (var checkpoint in checkpoints)
        {
            var (when, heads, problem) = Parse(checkpoint, verifier);
            foreach (var head in heads)
            {
                problem ??= await DepartureAsync(connection, head, cancellationToken);
            }

            results.Add(new CheckpointCheck(when ?? "?", problem is null, problem));
        }

        return results;
    }

    /// <summary>Splits a file of appended checkpoints into notes (each ends with its signature lines).</summary>
    public static IReadOnlyList<string> Split(string file)
    {
        var notes = new List<string>();
        var current = new StringBuilder();
        var inSignatures = false;
        foreach (var line in file.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (inSignatures && !line.StartsWith("\u2014 ", StringComparison.Ordinal))
            {
                notes.Add(current.ToString());
                current.Clear();
                inSignatures = false;
                if (line.Length == 0)
                {
                    continue;
                }
            }

            if (line.Length == 0 && current.Length > 0 && !inSignatures)
            {
                inSignatures = true;
            }

            if (line.Length > 0 || inSignatures)
            {
                current.Append(line).Append('\n');
            }
        }

        if (current.Length > 0)
        {
            notes.Add(current.ToString());
        }

        return notes;
    }

    private static (string? Time, IReadOnlyList<ChainHead> Heads, string? Problem) Parse(string checkpoint, NoteVerifier verifier)
    {
        Note note;
        try
        {
            note = Notes.Open(Encoding.UTF8.GetBytes(checkpoint), [verifier]);
        }
        catch (NoteException e)
        {
            return (null, [], $"not a checkpoint signed by {verifier.Name}: {e.Message}");
        }

        var lines = note.Text.TrimEnd('\n').Split('\n');
        var heads = new List<ChainHead>();
        foreach (var line in lines[1..^1])
        {
            var fields = line.Split(' ');
            if (fields.Length != 3 || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var length) || !AuditChain.Tables.Contains(fields[0]))
            {
                return (null, [], $"signed, but not in the checkpoint format: \"{line}\"");
            }

            heads.Add(new ChainHead(fields[0], length, fields[2]));
        }

        return lines[0] == Origin && lines.Length >= 2
            ? (lines[^1], heads, null)
            : (null, [], "signed, but not an audit checkpoint");
    }

    private static async Task<string?> DepartureAsync(NpgsqlConnection connection, ChainHead head, CancellationToken cancellationToken)
    {
        if (head.Length == 0)
        {
            return null;
        }

        await using var command = new NpgsqlCommand($"SELECT row_hash FROM {head.Table} WHERE chain_seq = @seq", connection)
        {
            Parameters = { new("seq", head.Length) },
        };
        return await command.ExecuteScalarAsync(cancellationToken) switch
        {
            string hash when hash == head.RowHash => null,
            string hash => $"{head.Table} row {head.Length} now has hash {hash}, the checkpoint signed {head.RowHash}: the chain was rewritten at or before that row",
            _ => $"{head.Table} has no row {head.Length}, which the checkpoint signed: rows were cut off the end",
        };
    }

    /// <summary>Each chain's length and last row hash now, in one snapshot.</summary>
    public async Task<IReadOnlyList<ChainHead>> HeadsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var heads = new List<ChainHead>();
        foreach (var table in AuditChain.Tables)
        {
            await using var command = new NpgsqlCommand($"SELECT chain_seq, row_hash FROM {table} ORDER BY chain_seq DESC LIMIT 1", connection, transaction);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            heads.Add(await reader.ReadAsync(cancellationToken) ? new ChainHead(table, reader.GetInt64(0), reader.GetString(1)) : new ChainHead(table, 0, AuditChain.Genesis));
        }

        return heads;
    }

    private static NoteSigner LoadKey(AuditCheckpointOptions options, string dataDirectory, ILogger logger)
    {
        var signerKey = options.CheckpointKey;
        if (string.IsNullOrWhiteSpace(signerKey))
        {
            var file = Path.GetFullPath(options.CheckpointKeyFile ?? Path.Combine(dataDirectory, "audit-checkpoint.key"));
            if (!File.Exists(file))
            {
                var (created, verifier) = NoteSigner.GenerateKey(DefaultKeyName);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                var secret = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    secret.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using (var writer = new StreamWriter(file, secret))
                {
                    writer.Write(created + "\n");
                }

                LogKeyCreated(logger, file, verifier);
            }

            signerKey = File.ReadAllText(file).Trim();
        }

        try
        {
            return NoteSigner.Parse(signerKey.Trim());
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"{AuditCheckpointOptions.Section}:CheckpointKey: not a signer key ({e.Message})", e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit checkpoint key created in {File}; keep a copy of its verifier key where the checkpoints go: {VerifierKey}")]
    private static partial void LogKeyCreated(ILogger logger, string file, string verifierKey);
}
