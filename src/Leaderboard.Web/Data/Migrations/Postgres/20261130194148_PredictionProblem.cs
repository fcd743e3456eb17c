using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mrc.Leaderboard.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PredictionProblem : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Problem",
                table: "Predictions",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Problem",
                table: "Predictions");
        }
    }
}
