using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace SecureGateway.Migrations
{
    /// <inheritdoc />
    public partial class ChecksumDbHeadsAndEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "checksum_db",
                table: "decisions",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "checksum_db_record_id",
                table: "decisions",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "checksum_db_tree_hash",
                table: "decisions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "checksum_db_tree_size",
                table: "decisions",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "audit_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    kind = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    actor = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    subject = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    summary = table.Column<string>(type: "text", nullable: false),
                    evidence = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "checksum_db_heads",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    database = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    tree_size = table.Column<long>(type: "bigint", nullable: false),
                    tree_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    note = table.Column<string>(type: "text", nullable: false),
                    verified_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_checksum_db_heads", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_kind_subject_id",
                table: "audit_events",
                columns: new[] { "kind", "subject", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_checksum_db_heads_database_id",
                table: "checksum_db_heads",
                columns: new[] { "database", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_events");

            migrationBuilder.DropTable(
                name: "checksum_db_heads");

            migrationBuilder.DropColumn(
                name: "checksum_db",
                table: "decisions");

            migrationBuilder.DropColumn(
                name: "checksum_db_record_id",
                table: "decisions");

            migrationBuilder.DropColumn(
                name: "checksum_db_tree_hash",
                table: "decisions");

            migrationBuilder.DropColumn(
                name: "checksum_db_tree_size",
                table: "decisions");
        }
    }
}
