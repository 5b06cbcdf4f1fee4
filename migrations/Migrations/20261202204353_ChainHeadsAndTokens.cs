using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace SecureGateway.Migrations
{
    /// <inheritdoc />
    public partial class ChainHeadsAndTokens : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "chain_seq",
                table: "checksum_db_heads",
                type: "bigint",
                nullable: false,
                defaultValue: 0L)
                .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);

            migrationBuilder.AddColumn<string>(
                name: "prev_hash",
                table: "checksum_db_heads",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "row_hash",
                table: "checksum_db_heads",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "chain_seq",
                table: "api_tokens",
                type: "bigint",
                nullable: false,
                defaultValue: 0L)
                .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);

            migrationBuilder.AddColumn<string>(
                name: "prev_hash",
                table: "api_tokens",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "row_hash",
                table: "api_tokens",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            // Trusted checksum-DB heads and API tokens join the audit hash chain: a head row or token row forged, changed
            // or removed behind the gateway's back is then found by `audit verify` like a decision. A token's revocation
            // columns are left out of its hash (revoking is the one change its row allows), and checked against the
            // token-revoked events instead.
            migrationBuilder.Sql("""
                SET LOCAL timezone TO 'UTC';
                ALTER TABLE checksum_db_heads DISABLE TRIGGER checksum_db_heads_append_only;
                DO $$
                DECLARE t text; r record; previous text; seq bigint;
                BEGIN
                    FOREACH t IN ARRAY ARRAY['checksum_db_heads', 'api_tokens'] LOOP
                        previous := repeat('0', 64);
                        seq := 0;
                        FOR r IN EXECUTE format('SELECT id FROM %I ORDER BY id', t) LOOP
                            seq := seq + 1;
                            EXECUTE format('UPDATE %I SET chain_seq = $1, prev_hash = $2 WHERE id = $3', t) USING seq, previous, r.id;
                            EXECUTE format('UPDATE %I x SET row_hash = audit_row_hash(x.prev_hash, to_jsonb(x) - ''revoked_at'' - ''revoked_by'') WHERE id = $1 RETURNING row_hash', t)
                                INTO previous USING r.id;
                        END LOOP;
                    END LOOP;
                END $$;
                ALTER TABLE checksum_db_heads ENABLE TRIGGER checksum_db_heads_append_only;
                """);

            migrationBuilder.CreateIndex(
                name: "ix_checksum_db_heads_chain_seq",
                table: "checksum_db_heads",
                column: "chain_seq",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_tokens_chain_seq",
                table: "api_tokens",
                column: "chain_seq",
                unique: true);

            migrationBuilder.Sql("""
                CREATE TRIGGER checksum_db_heads_chain BEFORE INSERT ON checksum_db_heads FOR EACH ROW EXECUTE FUNCTION audit_chain();
                CREATE TRIGGER checksum_db_heads_no_truncate BEFORE TRUNCATE ON checksum_db_heads FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
                CREATE TRIGGER api_tokens_chain BEFORE INSERT ON api_tokens FOR EACH ROW EXECUTE FUNCTION audit_chain();

                CREATE FUNCTION api_tokens_revoke_only() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' AND OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL
                       AND to_jsonb(NEW) - 'revoked_at' - 'revoked_by' = to_jsonb(OLD) - 'revoked_at' - 'revoked_by' THEN
                        RETURN NEW;
                    END IF;
                    RAISE EXCEPTION 'api_tokens rows change only by revocation: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
                END $$;
                CREATE TRIGGER api_tokens_revoke_only BEFORE UPDATE OR DELETE ON api_tokens FOR EACH ROW EXECUTE FUNCTION api_tokens_revoke_only();
                CREATE TRIGGER api_tokens_no_truncate BEFORE TRUNCATE ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER checksum_db_heads_chain ON checksum_db_heads;
                DROP TRIGGER checksum_db_heads_no_truncate ON checksum_db_heads;
                DROP TRIGGER api_tokens_chain ON api_tokens;
                DROP TRIGGER api_tokens_revoke_only ON api_tokens;
                DROP TRIGGER api_tokens_no_truncate ON api_tokens;
                DROP FUNCTION api_tokens_revoke_only();
                """);
            migrationBuilder.DropIndex(
                name: "ix_checksum_db_heads_chain_seq",
                table: "checksum_db_heads");

            migrationBuilder.DropIndex(
                name: "ix_api_tokens_chain_seq",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "chain_seq",
                table: "checksum_db_heads");

            migrationBuilder.DropColumn(
                name: "prev_hash",
                table: "checksum_db_heads");

            migrationBuilder.DropColumn(
                name: "row_hash",
                table: "checksum_db_heads");

            migrationBuilder.DropColumn(
                name: "chain_seq",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "prev_hash",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "row_hash",
                table: "api_tokens");
        }
    }
}
