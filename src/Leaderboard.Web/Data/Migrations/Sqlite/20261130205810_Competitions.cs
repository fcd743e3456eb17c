using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mrc.Leaderboard.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Competitions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "IsBaseline",
                table: "Submissions",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "MarkedFinal",
                table: "Submissions",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "ClosesAt",
                table: "EvaluationSets",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "FinalSubmissionLimit",
                table: "EvaluationSets",
                type: "INTEGER",
                nullable: false,
                defaultValue: 2); // existing sets get the default limit of two final submissions

            migrationBuilder.AddColumn<DateTime>(
                name: "OpensAt",
                table: "EvaluationSets",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "RevealedAt",
                table: "EvaluationSets",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AuditEntries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Target = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditEntries", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_At",
                table: "AuditEntries",
                column: "At");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AuditEntries");

            migrationBuilder.DropColumn(
                name: "IsBaseline",
                table: "Submissions");

            migrationBuilder.DropColumn(
                name: "MarkedFinal",
                table: "Submissions");

            migrationBuilder.DropColumn(
                name: "ClosesAt",
                table: "EvaluationSets");

            migrationBuilder.DropColumn(
                name: "FinalSubmissionLimit",
                table: "EvaluationSets");

            migrationBuilder.DropColumn(
                name: "OpensAt",
                table: "EvaluationSets");

            migrationBuilder.DropColumn(
                name: "RevealedAt",
                table: "EvaluationSets");
        }
    }
}
