using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SecureGateway.Migrations
{
    /// <inheritdoc />
    public partial class HeadTimesFromTheDatabase : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // When a head was verified is a trusted lower bound on the age of every record in it, so the database stamps
            // it, not the writer: a database account cannot make versions look old by recording a head "verified" long
            // ago. Named to fire before checksum_db_heads_chain (same-event triggers fire in name order), so the hash
            // covers the stamped time.
            migrationBuilder.Sql("""
                CREATE FUNCTION checksum_db_heads_at_now() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.verified_at := now();
                    RETURN NEW;
                END $$;
                CREATE TRIGGER checksum_db_heads_at_now BEFORE INSERT ON checksum_db_heads FOR EACH ROW EXECUTE FUNCTION checksum_db_heads_at_now();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER checksum_db_heads_at_now ON checksum_db_heads; DROP FUNCTION checksum_db_heads_at_now();");
        }
    }
}
