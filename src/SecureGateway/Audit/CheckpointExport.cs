using System.Text;
using Microsoft.Extensions.Options;
using SecureGateway.Upstream;

namespace SecureGateway.Audit;

/// <summary>
/// Sends a signed checkpoint to <c>Gateway:Audit:CheckpointTo</c> (appended to a file, or POSTed to an https URL) at
/// start and every interval after, whenever the chains have grown since the last one sent: the copies kept there are
/// what <c>audit verify --checkpoint</c> holds the database to.
/// </summary>
internal sealed partial class CheckpointExport(
    AuditCheckpoints checkpoints, IOptions<AuditCheckpointOptions> options, IHttpClientFactory http, TimeProvider time, ILogger<CheckpointExport> logger)
    : BackgroundService
{
    public const string HttpClientName = "audit-checkpoints";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.CheckpointTo))
        {
            return;
        }

        await Task.Yield();
        IReadOnlyList<ChainHead>? sent = null;
        using var timer = new PeriodicTimer(options.Value.CheckpointInterval, time);
        try
        {
            do
            {
                try
                {
                    var checkpoint = await checkpoints.CreateAsync(stoppingToken);
                    if (sent is null || !sent.SequenceEqual(checkpoint.Heads))
                    {
                        await SendAsync(options.Value.CheckpointTo, checkpoint.Note, stoppingToken);
                        sent = checkpoint.Heads;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or HttpRequestException or Npgsql.NpgsqlException
                    || (e is TaskCanceledException && !stoppingToken.IsCancellationRequested))
                {
                    LogNotSent(RedactedUrl.Of(options.Value.CheckpointTo), e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private async Task SendAsync(string destination, string note, CancellationToken cancellationToken)
    {
        if (Uri.TryCreate(destination, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
        {
            using var response = await http.CreateClient(HttpClientName).PostAsync(uri, new StringContent(note, Encoding.UTF8, "text/plain"), cancellationToken);
            response.EnsureSuccessStatusCode();
            return;
        }

        // One blank line between appended checkpoints; each is whole or absent (one write, flushed).
        await using var file = new FileStream(destination, FileMode.Append, FileAccess.Write, FileShare.Read);
        await file.WriteAsync(Encoding.UTF8.GetBytes(note + "\n"), cancellationToken);
        await file.FlushAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit checkpoint not sent to {Destination}, next try at the next interval: {Reason}")]
    private partial void LogNotSent(string destination, string reason);
}
