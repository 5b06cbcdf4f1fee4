using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SecureGateway.Audit;
using SecureGateway.Tests.Access;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Tests.Audit;

/// <summary>
/// The audit chain anchored outside the database: signed checkpoints (<c>GET /admin/audit/checkpoint</c>,
/// <c>Gateway:Audit:CheckpointTo</c>) and <c>audit verify --checkpoint</c>, which finds a chain an account able to
/// recompute the hashes rewrote from some row onward, or cut at the end. Checksum-DB heads and API tokens are chained too.
/// </summary>
public sealed class AuditCheckpointTests : IAsyncLifetime
{
    private GatewayInstance gateway = null!;

    public async Task InitializeAsync() =>
        gateway = await GatewayInstance.StartAsync(new Uri(TempDirectory.Create("empty-upstream")).AbsoluteUri);

    public Task DisposeAsync() => gateway.DisposeAsync().AsTask();

    [Fact]
    public async Task Checkpoint_ChainGrowsAfterIt_StillExtended()
    {
        await RecordDecisionsAsync(3);
        var (file, key) = await SaveCheckpointAsync();
        await RecordDecisionsAsync(2, first: 3);

        var (exit, stdout, _) = await VerifyCliAsync(file, key);

        Assert.Equal(0, exit);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(
            stdout, @"^ok: \d+ rows in decisions, audit_events, checksum_db_heads, api_tokens, every hash recomputed and linked\ncheckpoint \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: extended\n$"), stdout);
    }

    [Fact]
    public async Task ChainRewrittenFromARowWithHashesRecomputed_ChainAloneLooksIntact_CheckpointSaysNotExtended()
    {
        var decisions = await RecordDecisionsAsync(3);
        var (file, key) = await SaveCheckpointAsync();

        // What an account that owns the schema can do: change a row and recompute every hash from it onward.
        await AuditStore.ExecuteAsync(gateway.ConnectionString, $"""
            SET timezone TO 'UTC';
            UPDATE decisions SET reasons = ARRAY['admitted, nothing to see'] WHERE id = {decisions[1]};
            DO $$
            DECLARE r record; previous text;
            BEGIN
                SELECT row_hash INTO previous FROM decisions WHERE chain_seq = 1;
                FOR r IN SELECT id FROM decisions WHERE chain_seq >= 2 ORDER BY chain_seq LOOP
                    UPDATE decisions SET prev_hash = previous WHERE id = r.id;
                    UPDATE decisions x SET row_hash = audit_row_hash(x.prev_hash, to_jsonb(x)) WHERE id = r.id RETURNING row_hash INTO previous;
                END LOOP;
            END $$;
            """, bypassTriggers: true);
        var chainOnly = await gateway.GetJsonAsync("admin/audit/verify");
        var (exit, stdout, _) = await VerifyCliAsync(file, key);

        Assert.True(chainOnly.GetProperty("ok").GetBoolean());
        Assert.Equal(1, exit);
        Assert.Contains("checkpoint ", stdout, StringComparison.Ordinal);
        Assert.Contains(": NOT EXTENDED: decisions row 3 now has hash ", stdout, StringComparison.Ordinal);
        Assert.Contains("the chain was rewritten at or before that row", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChainCutAtTheEnd_CheckpointSaysRowsWereCutOff()
    {
        var decisions = await RecordDecisionsAsync(3);
        var (file, key) = await SaveCheckpointAsync();
        await AuditStore.ExecuteAsync(gateway.ConnectionString, $"DELETE FROM decisions WHERE id = {decisions[2]}", bypassTriggers: true);

        var (exit, stdout, _) = await VerifyCliAsync(file, key);

        Assert.Equal(1, exit);
        Assert.StartsWith("ok: ", stdout, StringComparison.Ordinal);
        Assert.Contains("NOT EXTENDED: decisions has no row 3, which the checkpoint signed: rows were cut off the end", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckpointSignedByAnotherKey_Refused()
    {
        await RecordDecisionsAsync(1);
        var (file, _) = await SaveCheckpointAsync();
        var (_, otherVerifier) = NoteSigner.GenerateKey("securegateway-audit");

        var (exit, stdout, _) = await VerifyCliAsync(file, otherVerifier);

        Assert.Equal(1, exit);
        Assert.Contains("NOT EXTENDED: not a checkpoint signed by securegateway-audit", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckpointTo_File_GetsACheckpointEachTimeTheChainGrew_AllVerify()
    {
        var destination = Path.Combine(TempDirectory.Create("checkpoints"), "audit.checkpoints");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var interval = TimeSpan.FromHours(1);
        await using var exporting = await GatewayInstance.StartOnClockAsync(
            new Uri(TempDirectory.Create("empty-upstream")).AbsoluteUri, time, $"--Gateway:Audit:CheckpointTo={destination}", $"--Gateway:Audit:CheckpointInterval={interval}");
        var decisions = exporting.Services.GetRequiredService<DecisionLog>();
        await WaitForCheckpointsAsync(destination, 1);
        await decisions.RecordAsync(AuditStore.NewDecision(), CancellationToken.None);
        time.Advance(interval);
        await WaitForCheckpointsAsync(destination, 2);

        // Ticks while the chain stands still send nothing: a copy of the second checkpoint would come before the third.
        time.Advance(interval);
        time.Advance(interval);
        await decisions.RecordAsync(AuditStore.NewDecision(), CancellationToken.None);
        time.Advance(interval);
        await WaitForCheckpointsAsync(destination, 3);
        var key = exporting.Services.GetRequiredService<AuditCheckpoints>().VerifierKey;

        var written = AuditCheckpoints.Split(await File.ReadAllTextAsync(destination));
        var (exit, stdout, _) = await GatewayCli.RunAsync(
            "audit", "verify", "--checkpoint", destination, "--key", key, $"--ConnectionStrings:Audit={exporting.ConnectionString}", $"--Gateway:DataDir={TempDirectory.Create("cli-data")}");

        Assert.Equal(3, written.Count);
        Assert.Equal(0, exit);
        Assert.Equal(3, stdout.Split('\n').Count(l => l.EndsWith(": extended", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TokenRowChangedBehindTheGatewaysBack_VerifyFindsTheApiTokensRow()
    {
        await gateway.CreateTokenAsync("ci", "client");
        await AuditStore.ExecuteAsync(gateway.ConnectionString, "UPDATE api_tokens SET roles = ARRAY['admin'] WHERE name = 'ci'", bypassTriggers: true);

        var verified = await gateway.GetJsonAsync("admin/audit/verify");

        Assert.False(verified.GetProperty("ok").GetBoolean());
        Assert.Equal("api_tokens", verified.GetProperty("table").GetString());
        Assert.Equal("chain_seq 1: row_hash does not match the row's content: the row was changed", verified.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task TokenRows_ChangeOnlyByRevocation_EvenWithoutBypassingTriggers()
    {
        await gateway.CreateTokenAsync("ci", "client");

        var escalate = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            AuditStore.ExecuteAsync(gateway.ConnectionString, "UPDATE api_tokens SET roles = ARRAY['admin'] WHERE name = 'ci'"));
        var remove = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            AuditStore.ExecuteAsync(gateway.ConnectionString, "DELETE FROM api_tokens WHERE name = 'ci'"));
        var revoked = await AuditStore.ExecuteAsync(gateway.ConnectionString, "UPDATE api_tokens SET revoked_at = now(), revoked_by = 'x' WHERE name = 'ci'");

        Assert.Contains("api_tokens rows change only by revocation: UPDATE refused", escalate.MessageText, StringComparison.Ordinal);
        Assert.Contains("api_tokens rows change only by revocation: DELETE refused", remove.MessageText, StringComparison.Ordinal);
        Assert.Equal(1, revoked);
        Assert.True((await gateway.GetJsonAsync("admin/audit/verify")).GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task RevocationUndoneBehindTheGatewaysBack_TokenStillRefused_VerifyNamesIt()
    {
        var token = await gateway.CreateTokenAsync("leaked", "admin");
        var (exit, _, stderr) = await GatewayCli.RunAsync(
            "token", "revoke", "--name", "leaked", $"--ConnectionStrings:Audit={gateway.ConnectionString}", $"--Gateway:DataDir={TempDirectory.Create("cli-data")}");
        Assert.True(exit == 0, stderr);
        await AuditStore.ExecuteAsync(gateway.ConnectionString, "UPDATE api_tokens SET revoked_at = NULL, revoked_by = NULL WHERE name = 'leaked'", bypassTriggers: true);
        gateway.Services.GetRequiredService<SecureGateway.Access.ApiTokens>().Forget();

        using var refused = await gateway.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "admin/audit/verify").WithBearer(token));
        var verified = await gateway.GetJsonAsync("admin/audit/verify");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.False(verified.GetProperty("ok").GetBoolean());
        Assert.Equal("api_tokens", verified.GetProperty("table").GetString());
        Assert.Matches("^token \"leaked\" is valid although audit event \\d+ revoked it: the revocation was undone$", verified.GetProperty("reason").GetString()!);
    }

    private async Task<List<long>> RecordDecisionsAsync(int count, int first = 0)
    {
        var log = gateway.Services.GetRequiredService<DecisionLog>();
        var ids = new List<long>();
        for (var i = first; i < first + count; i++)
        {
            ids.Add((await log.RecordAsync(AuditStore.NewDecision(version: $"v1.{i}.0"), CancellationToken.None)).Id);
        }

        return ids;
    }

    /// <summary>The checkpoint as an auditor keeps it: fetched from the API, appended to a file, with the verifier key from the same answer.</summary>
    private async Task<(string File, string Key)> SaveCheckpointAsync()
    {
        using var response = await gateway.Http.SendAsync(GatewayInstance.AdminRequest("admin/audit/checkpoint"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var file = Path.Combine(TempDirectory.Create("checkpoints"), "kept");
        await File.WriteAllTextAsync(file, await response.Content.ReadAsStringAsync() + "\n");
        return (file, Assert.Single(response.Headers.GetValues("X-Checkpoint-Verifier-Key")));
    }

    private Task<(int Exit, string Stdout, string Stderr)> VerifyCliAsync(string file, string key) =>
        GatewayCli.RunAsync(
            "audit", "verify", "--checkpoint", file, "--key", key, $"--ConnectionStrings:Audit={gateway.ConnectionString}", $"--Gateway:DataDir={TempDirectory.Create("cli-data")}");

    private static Task WaitForCheckpointsAsync(string file, int count) =>
        Eventually.HoldsAsync(async () => File.Exists(file) && AuditCheckpoints.Split(await File.ReadAllTextAsync(file)).Count >= count, $"{count} checkpoints are written to {file}");
}
