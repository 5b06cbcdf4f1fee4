using Npgsql;
using SecureGateway.Hosting;

namespace SecureGateway.Access;

/// <summary>
/// Listens on <see cref="ApiTokens.RevocationChannel"/> so a token revoked by any process stops working here at once.
/// While the listening connection is down, a revocation can go unheard for at most <see cref="ApiTokens.CacheTime"/>; the
/// cache is emptied whenever listening (re)starts.
/// </summary>
public sealed partial class TokenRevocationListener(ApiTokens tokens, AuditDatabase database, ILogger<TokenRevocationListener> logger) : BackgroundService
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var settings = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false, KeepAlive = 30 };
                await using var connection = new NpgsqlConnection(settings.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, _) => tokens.Forget();
                await using (var listen = new NpgsqlCommand($"LISTEN {ApiTokens.RevocationChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                tokens.Forget();
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or IOException && !stoppingToken.IsCancellationRequested)
            {
                LogNotListening(e, ApiTokens.CacheTime, Retry);
                await Task.Delay(Retry, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not hearing token revocations (a revoked token may work for up to {CacheTime} meanwhile); retrying in {Retry}")]
    private partial void LogNotListening(Exception exception, TimeSpan cacheTime, TimeSpan retry);
}
