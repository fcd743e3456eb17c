using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mrc.Leaderboard.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EvaluationSetSplitSalt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SplitSalt",
                table: "EvaluationSets",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "SplitSalt",
                table: "EvaluationSets");
        }
    }
}
