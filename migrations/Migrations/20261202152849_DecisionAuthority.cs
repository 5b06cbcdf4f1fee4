using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SecureGateway.Migrations
{
    /// <inheritdoc />
    public partial class DecisionAuthority : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "redecide_after",
                table: "decisions",
                type: "timestamp with time zone",
                nullable: true);

            // Every decision inserted, by any process, is announced on its commit: running gateways apply it at once.
            migrationBuilder.Sql("""
                CREATE FUNCTION decisions_announce() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('decisions', NEW.id::text);
                    RETURN NULL;
                END $$;
                CREATE TRIGGER decisions_announce AFTER INSERT ON decisions FOR EACH ROW EXECUTE FUNCTION decisions_announce();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER decisions_announce ON decisions; DROP FUNCTION decisions_announce();");
            migrationBuilder.DropColumn(
                name: "redecide_after",
                table: "decisions");
        }
    }
}
