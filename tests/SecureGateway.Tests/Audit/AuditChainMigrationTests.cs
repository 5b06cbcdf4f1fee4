using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using SecureGateway.Audit;
using SecureGateway.Data;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Audit;

/// <summary>Databases that held decisions before the chain existed: the migration chains them, and new rows continue the chain.</summary>
public sealed class AuditChainMigrationTests
{
    private const string BeforeChain = "20261125133934_PolicyFacts";

    [Fact]
    public async Task Migrate_ExistingDecisionsAndEvents_BackfilledChainVerifies()
    {
        // A session time zone far from UTC: the hashes must not depend on the session that wrote or verifies them.
        var connectionString = new NpgsqlConnectionStringBuilder(await TestPostgres.CreateDatabaseAsync()) { Timezone = "Asia/Kolkata" }.ConnectionString;
        await using (var db = Context(connectionString))
        {
            await db.GetService<IMigrator>().MigrateAsync(BeforeChain);
            await AuditStore.ExecuteAsync(connectionString, """
                INSERT INTO decisions (time, module, version, outcome, reasons, actor, facts, rule_results, policy_revision)
                SELECT timestamptz '2026-01-01 10:00:00+05:30' + n * interval '1 hour', 'example.com/old', 'v1.0.' || n,
                       CASE WHEN n % 3 = 0 THEN 'quarantined' ELSE 'admitted' END, ARRAY['old reason ' || n], 'gateway',
                       jsonb_build_object('module', 'example.com/old', 'n', n), '[{"rule":"age","verdict":1,"reason":null}]', 'rev1'
                FROM generate_series(1, 7) n;
                INSERT INTO audit_events (time, kind, actor, subject, summary)
                VALUES (now(), 'sumdb-head-reset', 'operator', 'sum.golang.org', 'reset'), (now(), 'sumdb-fork', 'gateway', 'sum.golang.org', 'fork');
                DELETE FROM decisions WHERE version = 'v1.0.4';
                """);

            await db.Database.MigrateAsync();
        }

        await using var store = await AuditStore.CreateAsync(connectionString);
        var backfilled = await store.Chain.VerifyAsync(CancellationToken.None);
        var next = await store.Decisions.RecordAsync(AuditStore.NewDecision("example.com/new"), CancellationToken.None);
        var continued = await store.Chain.VerifyAsync(CancellationToken.None);

        Assert.Equal(new ChainVerification(true, 8, null, null, null), backfilled);
        Assert.Equal(7, next.ChainSeq);
        Assert.Equal(await store.ScalarAsync<string>("SELECT row_hash FROM decisions WHERE chain_seq = 6"), next.PrevHash);
        Assert.Equal(new ChainVerification(true, 9, null, null, null), continued);
        Assert.Equal(
            [1L, 2L, 3L, 4L, 5L, 6L, 7L],
            (await DecisionLogOrder(store)).Select(d => d.ChainSeq));
    }

    [Fact]
    public async Task Migrate_BackfilledRowChangedAfterwards_Detected()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        await using (var db = Context(connectionString))
        {
            await db.GetService<IMigrator>().MigrateAsync(BeforeChain);
            await AuditStore.ExecuteAsync(connectionString, """
                INSERT INTO decisions (module, version, outcome, reasons, actor)
                SELECT 'example.com/old', 'v1.0.' || n, 'admitted', ARRAY['old'], 'gateway' FROM generate_series(1, 3) n
                """);
            await db.Database.MigrateAsync();
        }

        await using var store = await AuditStore.CreateAsync(connectionString);
        var second = await store.ScalarAsync<long>("SELECT id FROM decisions WHERE chain_seq = 2");
        await store.ExecuteAsync($"UPDATE decisions SET outcome = 'denied' WHERE id = {second}", bypassTriggers: true);

        var result = await store.Chain.VerifyAsync(CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal(second, result.FirstBroken);
    }

    private static AuditDbContext Context(string connectionString)
    {
        var options = new DbContextOptionsBuilder<AuditDbContext>();
        options.UseAuditDatabase(connectionString);
        return new AuditDbContext(options.Options);
    }

    private static async Task<IReadOnlyList<Data.Decisions.Decision>> DecisionLogOrder(AuditStore store)
    {
        await using var db = await store.Contexts.CreateDbContextAsync();
        return await db.Decisions.AsNoTracking().OrderBy(d => d.Id).ToListAsync();
    }
}
