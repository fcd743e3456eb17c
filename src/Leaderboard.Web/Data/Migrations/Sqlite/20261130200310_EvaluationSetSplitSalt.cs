using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mrc.Leaderboard.Data.Migrations.Sqlite
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
                type: "TEXT",
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
