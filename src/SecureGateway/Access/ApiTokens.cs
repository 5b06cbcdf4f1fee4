using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using SecureGateway.Admin;
using SecureGateway.Audit;
using SecureGateway.Data;
using SecureGateway.Data.Access;
using SecureGateway.Data.Events;
using SecureGateway.Hosting;

namespace SecureGateway.Access;

/// <summary>Who a token belongs to: the name recorded as actor or client, and the roles it grants.</summary>
public sealed record TokenIdentity(string Name, IReadOnlyList<string> Roles);

/// <summary>The outcome of <see cref="ApiTokens.CreateAsync"/>: the plaintext token (shown once, never stored) or why not.</summary>
public sealed record TokenCreation(string? Token, string? Error, long? AuditEventId = null)
{
    public bool Created => Token is not null;
}

/// <summary>The outcome of <see cref="ApiTokens.RevokeAsync"/>: the audit event recording it, or why nothing was revoked.</summary>
public sealed record TokenRevocation(long? AuditEventId, string? Error);

/// <summary>
/// API tokens: the bootstrap <c>Gateway:AdminToken</c> (name <c>admin</c>, role admin) and the named tokens in
/// <c>api_tokens</c>, of which only the SHA-256 is stored. Lookups are cached for <see cref="CacheTime"/> (they keep
/// answering through a short database outage); a revocation empties the cache, announced by PostgreSQL to
/// <see cref="TokenRevocationListener"/>, so a revoked token stops working at once even when the CLI revoked it.
/// </summary>
public sealed class ApiTokens : IDisposable
{
    /// <summary>The name the bootstrap token acts under; no stored token may take it.</summary>
    public const string BootstrapName = "admin";

    /// <summary>Every token this service issues starts with it, so a leaked one is recognisable (secret scanners).</summary>
    public const string Prefix = "sgw_";

    public const int MaxNameLength = 128;

    /// <summary>How long a lookup (found or not) is remembered.</summary>
    public static readonly TimeSpan CacheTime = TimeSpan.FromSeconds(30);

    /// <summary>The PostgreSQL notification channel on which revocations are announced.</summary>
    public const string RevocationChannel = "api_token_revoked";

    private static readonly TokenIdentity Bootstrap = new(BootstrapName, [Roles.Admin]);

    private readonly IDbContextFactory<AuditDbContext> contexts;
    private readonly AuditEventLog events;
    private readonly byte[]? bootstrapHash;
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    private long generation;

    public ApiTokens(IDbContextFactory<AuditDbContext> contexts, AuditEventLog events, IOptions<GatewayOptions> options)
    {
        this.contexts = contexts;
        this.events = events;
        bootstrapHash = string.IsNullOrEmpty(options.Value.AdminToken) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.AdminToken));
    }

    /// <summary>Lower-case hex SHA-256 of the token's UTF-8 bytes, as stored in <c>api_tokens.token_hash</c>.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>
    /// Issues a token: 32 random bytes, base64url, prefixed <see cref="Prefix"/>. Only its hash is stored; the
    /// <c>token-created</c> audit event names the token and its roles, never the token itself.
    /// </summary>
    public async Task<TokenCreation> CreateAsync(string name, IReadOnlyCollection<string> roles, string createdBy, CancellationToken cancellationToken)
    {
        if (Validate(name, roles) is { } error)
        {
            return new(null, error);
        }

        var token = Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var sortedRoles = roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            db.ApiTokens.Add(new ApiToken { Name = name, TokenHash = Hash(token), Roles = sortedRoles, CreatedBy = createdBy });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
            {
                return new(null, $"a token named \"{name}\" already exists");
            }
        }

        var recorded = await events.AppendAsync(new AuditEvent
        {
            Kind = AuditEventKinds.TokenCreated,
            Actor = createdBy,
            Subject = name,
            Summary = $"token \"{name}\" created with roles {string.Join(", ", sortedRoles)}",
        }, cancellationToken);
        return new(token, null, recorded.Id);
    }

    /// <summary>Who the presented token belongs to, or null when it is no token of this gateway.</summary>
    /// <exception cref="Npgsql.NpgsqlException">The token store cannot be read (the bootstrap token is still recognised).</exception>
    public Task<TokenIdentity?> FindAsync(string token, CancellationToken cancellationToken) =>
        FindByHashAsync(SHA256.HashData(Encoding.UTF8.GetBytes(token)), cancellationToken);

    /// <summary>
    /// Who the token with this SHA-256 belongs to, or null when it is no valid token (never issued, or revoked): a console
    /// session keeps only the hash and asks again on every request.
    /// </summary>
    /// <exception cref="Npgsql.NpgsqlException">The token store cannot be read (the bootstrap token is still recognised).</exception>
    public async Task<TokenIdentity?> FindByHashAsync(byte[] hash, CancellationToken cancellationToken)
    {
        if (bootstrapHash is not null && CryptographicOperations.FixedTimeEquals(hash, bootstrapHash))
        {
            return Bootstrap;
        }

        var key = Convert.ToHexStringLower(hash);
        if (cache.TryGetValue(key, out TokenIdentity? cached))
        {
            return cached;
        }

        var before = Interlocked.Read(ref generation);

        // Plain ADO.NET rather than an EF query: no retrying execution strategy, so a database outage answers at once (503).
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // A chained token-revoked event ends a token even if its row's revocation was undone behind the gateway's back.
        command.CommandText = $"""
            SELECT name, roles FROM api_tokens t WHERE token_hash = @hash AND revoked_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.kind = '{AuditEventKinds.TokenRevoked}' AND e.subject = t.name AND e.time >= t.created_at)
            """;
        command.Parameters.Add(new Npgsql.NpgsqlParameter<string>("hash", key));
        await using var row = await command.ExecuteReaderAsync(cancellationToken);
        var identity = await row.ReadAsync(cancellationToken) ? new TokenIdentity(row.GetString(0), row.GetFieldValue<string[]>(1)) : null;
        if (Interlocked.Read(ref generation) == before)
        {
            // Not when a revocation came in meanwhile: the answer read may be the one it ended.
            cache.Set(key, identity, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = CacheTime });
        }

        return identity;
    }

    /// <summary>Every stored token, newest first: names, roles, who created and revoked them (never the tokens).</summary>
    public async Task<IReadOnlyList<ApiToken>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ApiTokens.AsNoTracking().OrderByDescending(t => t.Id).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Ends the valid token named <paramref name="name"/>: its row stays (who held what, and when) but no longer
    /// authenticates, a <c>token-revoked</c> audit event records the act, and running gateways are told at once.
    /// </summary>
    public async Task<TokenRevocation> RevokeAsync(string name, string revokedBy, CancellationToken cancellationToken)
    {
        if (string.Equals(name, BootstrapName, StringComparison.OrdinalIgnoreCase))
        {
            return new(null, $"\"{BootstrapName}\" is the bootstrap token: remove Gateway:AdminToken from the configuration and restart");
        }

        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var revoked = await db.ApiTokens
                .Where(t => t.Name == name && t.RevokedAt == null)
                .ExecuteUpdateAsync(t => t.SetProperty(x => x.RevokedAt, DateTimeOffset.UtcNow).SetProperty(x => x.RevokedBy, revokedBy), cancellationToken);
            if (revoked == 0)
            {
                return new(null, $"no valid token is named \"{name}\"");
            }

            await db.Database.ExecuteSqlRawAsync($"NOTIFY {RevocationChannel}", cancellationToken);
        }

        Forget();
        var recorded = await events.AppendAsync(new AuditEvent
        {
            Kind = AuditEventKinds.TokenRevoked,
            Actor = revokedBy,
            Subject = name,
            Summary = $"token \"{name}\" revoked",
        }, cancellationToken);
        return new(recorded.Id, null);
    }

    /// <summary>A token was revoked somewhere: nothing cached may answer for it any more.</summary>
    internal void Forget()
    {
        Interlocked.Increment(ref generation);
        cache.Compact(1.0);
    }

    public void Dispose() => cache.Dispose();

    private static string? Validate(string name, IReadOnlyCollection<string> roles)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength || name.Any(char.IsControl) || name.Trim() != name)
        {
            return $"the name must be 1 to {MaxNameLength} characters without control characters or surrounding spaces";
        }

        if (string.Equals(name, BootstrapName, StringComparison.OrdinalIgnoreCase))
        {
            return $"\"{BootstrapName}\" is the bootstrap token's name (Gateway:AdminToken); choose another";
        }

        if (roles.Count == 0)
        {
            return $"at least one role is required: {string.Join(", ", Roles.All.Order(StringComparer.Ordinal))}";
        }

        var unknown = roles.Where(r => !Roles.All.Contains(r)).ToList();
        return unknown.Count == 0
            ? null
            : $"unknown role {string.Join(", ", unknown.Select(r => $"\"{r}\""))}: roles are {string.Join(", ", Roles.All.Order(StringComparer.Ordinal))}";
    }
}
