using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace SecureGateway.Migrations
{
    /// <inheritdoc />
    public partial class AuditChainLedgerTokens : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "chain_seq",
                table: "decisions",
                type: "bigint",
                nullable: false,
                defaultValue: 0L)
                .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "expires_at",
                table: "decisions",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "prev_hash",
                table: "decisions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "row_hash",
                table: "decisions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "chain_seq",
                table: "audit_events",
                type: "bigint",
                nullable: false,
                defaultValue: 0L)
                .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);

            migrationBuilder.AddColumn<string>(
                name: "prev_hash",
                table: "audit_events",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "row_hash",
                table: "audit_events",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "api_tokens",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    token_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    roles = table.Column<List<string>>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    created_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_tokens", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "downloads",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    module = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    version = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    kind = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    client = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    user_agent = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_downloads", x => x.id);
                });

            // The audit hash chain: each row of decisions and audit_events carries the hash of the previous row and
            // SHA-256 over that and its own content (jsonb text, timestamps in UTC), computed by the database itself
            // under a per-table lock, so no writer can skip or reorder it. Null columns are left out of the content, so a
            // later migration may add nullable columns without changing the hash of any existing row.
            migrationBuilder.Sql("""
                CREATE FUNCTION audit_row_hash(prev_hash text, content jsonb) RETURNS text
                LANGUAGE sql IMMUTABLE AS $$
                    SELECT encode(sha256(convert_to(prev_hash || jsonb_strip_nulls(content - 'prev_hash' - 'row_hash')::text, 'UTF8')), 'hex')
                $$;

                CREATE FUNCTION audit_chain() RETURNS trigger
                LANGUAGE plpgsql SET timezone TO 'UTC' AS $$
                DECLARE last_seq bigint; last_hash text;
                BEGIN
                    PERFORM pg_advisory_xact_lock(hashtext('audit_chain:' || TG_TABLE_NAME));
                    EXECUTE format('SELECT chain_seq, row_hash FROM %I ORDER BY chain_seq DESC LIMIT 1', TG_TABLE_NAME)
                        INTO last_seq, last_hash;
                    NEW.chain_seq := coalesce(last_seq, 0) + 1;
                    NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
                    NEW.row_hash := audit_row_hash(NEW.prev_hash, to_jsonb(NEW));
                    RETURN NEW;
                END $$;

                CREATE FUNCTION audit_append_only() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
                END $$;

                SET LOCAL timezone TO 'UTC';
                DO $$
                DECLARE t text; r record; previous text; seq bigint;
                BEGIN
                    FOREACH t IN ARRAY ARRAY['decisions', 'audit_events'] LOOP
                        previous := repeat('0', 64);
                        seq := 0;
                        FOR r IN EXECUTE format('SELECT id FROM %I ORDER BY id', t) LOOP
                            seq := seq + 1;
                            EXECUTE format('UPDATE %I SET chain_seq = $1, prev_hash = $2 WHERE id = $3', t) USING seq, previous, r.id;
                            EXECUTE format('UPDATE %I x SET row_hash = audit_row_hash(x.prev_hash, to_jsonb(x)) WHERE id = $1 RETURNING row_hash', t)
                                INTO previous USING r.id;
                        END LOOP;
                    END LOOP;
                END $$;
                """);

            migrationBuilder.CreateIndex(
                name: "ix_decisions_chain_seq",
                table: "decisions",
                column: "chain_seq",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_chain_seq",
                table: "audit_events",
                column: "chain_seq",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_tokens_name",
                table: "api_tokens",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_tokens_token_hash",
                table: "api_tokens",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_downloads_module_version_time",
                table: "downloads",
                columns: new[] { "module", "version", "time" });

            migrationBuilder.CreateIndex(
                name: "ix_downloads_time",
                table: "downloads",
                column: "time");

            migrationBuilder.Sql("""
                CREATE TRIGGER decisions_chain BEFORE INSERT ON decisions FOR EACH ROW EXECUTE FUNCTION audit_chain();
                CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_chain();
                CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions FOR EACH ROW EXECUTE FUNCTION audit_append_only();
                CREATE TRIGGER decisions_no_truncate BEFORE TRUNCATE ON decisions FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
                CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_append_only();
                CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
                CREATE TRIGGER checksum_db_heads_append_only BEFORE UPDATE OR DELETE ON checksum_db_heads FOR EACH ROW EXECUTE FUNCTION audit_append_only();
                CREATE TRIGGER downloads_append_only BEFORE UPDATE OR DELETE ON downloads FOR EACH ROW EXECUTE FUNCTION audit_append_only();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER downloads_append_only ON downloads;
                DROP TRIGGER checksum_db_heads_append_only ON checksum_db_heads;
                DROP TRIGGER audit_events_no_truncate ON audit_events;
                DROP TRIGGER audit_events_append_only ON audit_events;
                DROP TRIGGER decisions_no_truncate ON decisions;
                DROP TRIGGER decisions_append_only ON decisions;
                DROP TRIGGER audit_events_chain ON audit_events;
                DROP TRIGGER decisions_chain ON decisions;
                DROP FUNCTION audit_append_only();
                DROP FUNCTION audit_chain();
                DROP FUNCTION audit_row_hash(text, jsonb);
                """);

            migrationBuilder.DropTable(
                name: "api_tokens");

            migrationBuilder.DropTable(
                name: "downloads");

            migrationBuilder.DropIndex(
                name: "ix_decisions_chain_seq",
                table: "decisions");

            migrationBuilder.DropIndex(
                name: "ix_audit_events_chain_seq",
                table: "audit_events");

            migrationBuilder.DropColumn(
                name: "chain_seq",
                table: "decisions");

            migrationBuilder.DropColumn(
                name: "expires_at",
                table: "decisions");

            migrationBuilder.DropColumn(
                name: "prev_hash",
                table: "decisions");

            migrationBuilder.DropColumn(
                name: "row_hash",
                table: "decisions");

            migrationBuilder.DropColumn(
                name: "chain_seq",
                table: "audit_events");

            migrationBuilder.DropColumn(
                name: "prev_hash",
                table: "audit_events");

            migrationBuilder.DropColumn(
                name: "row_hash",
                table: "audit_events");
        }
    }
}
