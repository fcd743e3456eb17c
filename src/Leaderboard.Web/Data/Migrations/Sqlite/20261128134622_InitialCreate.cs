using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mrc.Leaderboard.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "EvaluationSets",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    SourceFileName = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    PrivateShare = table.Column<double>(type: "REAL", nullable: false),
                    PrivateRevealed = table.Column<bool>(type: "INTEGER", nullable: false),
                    QuestionCount = table.Column<int>(type: "INTEGER", nullable: false),
                    PublicCount = table.Column<int>(type: "INTEGER", nullable: false),
                    PrivateCount = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EvaluationSets", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Teams",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    TokenHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    TokenExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Teams", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Questions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EvaluationSetId = table.Column<long>(type: "INTEGER", nullable: false),
                    QuestionId = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    Ordinal = table.Column<int>(type: "INTEGER", nullable: false),
                    Text = table.Column<string>(type: "TEXT", nullable: false),
                    Context = table.Column<string>(type: "TEXT", nullable: true),
                    Title = table.Column<string>(type: "TEXT", nullable: true),
                    AnswersJson = table.Column<string>(type: "TEXT", nullable: false),
                    IsPrivate = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Questions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Questions_EvaluationSets_EvaluationSetId",
                        column: x => x.EvaluationSetId,
                        principalTable: "EvaluationSets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Submissions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TeamId = table.Column<long>(type: "INTEGER", nullable: false),
                    EvaluationSetId = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Model = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Version = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    TopK = table.Column<int>(type: "INTEGER", nullable: false),
                    K1 = table.Column<float>(type: "REAL", nullable: true),
                    B = table.Column<float>(type: "REAL", nullable: true),
                    ReadMode = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    RetrieverWeight = table.Column<float>(type: "REAL", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    SubmittedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Completed = table.Column<int>(type: "INTEGER", nullable: false),
                    Total = table.Column<int>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", nullable: false),
                    AllExactMatch = table.Column<double>(type: "REAL", nullable: true),
                    AllF1 = table.Column<double>(type: "REAL", nullable: true),
                    PublicExactMatch = table.Column<double>(type: "REAL", nullable: true),
                    PublicF1 = table.Column<double>(type: "REAL", nullable: true),
                    PrivateExactMatch = table.Column<double>(type: "REAL", nullable: true),
                    PrivateF1 = table.Column<double>(type: "REAL", nullable: true),
                    PublicQuestionCount = table.Column<int>(type: "INTEGER", nullable: false),
                    PrivateQuestionCount = table.Column<int>(type: "INTEGER", nullable: false),
                    PublicUnanswered = table.Column<int>(type: "INTEGER", nullable: false),
                    PrivateUnanswered = table.Column<int>(type: "INTEGER", nullable: false),
                    RetrievalRecall = table.Column<double>(type: "REAL", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Submissions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Submissions_EvaluationSets_EvaluationSetId",
                        column: x => x.EvaluationSetId,
                        principalTable: "EvaluationSets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Submissions_Teams_TeamId",
                        column: x => x.TeamId,
                        principalTable: "Teams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Predictions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SubmissionId = table.Column<long>(type: "INTEGER", nullable: false),
                    QuestionRowId = table.Column<long>(type: "INTEGER", nullable: false),
                    Answer = table.Column<string>(type: "TEXT", nullable: false),
                    NBestJson = table.Column<string>(type: "TEXT", nullable: false),
                    ExactMatch = table.Column<double>(type: "REAL", nullable: false),
                    F1 = table.Column<double>(type: "REAL", nullable: false),
                    RetrievalHit = table.Column<bool>(type: "INTEGER", nullable: true),
                    RetrievalRule = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Predictions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Predictions_Questions_QuestionRowId",
                        column: x => x.QuestionRowId,
                        principalTable: "Questions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Predictions_Submissions_SubmissionId",
                        column: x => x.SubmissionId,
                        principalTable: "Submissions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_EvaluationSets_Name",
                table: "EvaluationSets",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Predictions_QuestionRowId",
                table: "Predictions",
                column: "QuestionRowId");

            migrationBuilder.CreateIndex(
                name: "IX_Predictions_SubmissionId_QuestionRowId",
                table: "Predictions",
                columns: new[] { "SubmissionId", "QuestionRowId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Questions_EvaluationSetId_Ordinal",
                table: "Questions",
                columns: new[] { "EvaluationSetId", "Ordinal" });

            migrationBuilder.CreateIndex(
                name: "IX_Questions_EvaluationSetId_QuestionId",
                table: "Questions",
                columns: new[] { "EvaluationSetId", "QuestionId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Submissions_EvaluationSetId_Status",
                table: "Submissions",
                columns: new[] { "EvaluationSetId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Submissions_TeamId_SubmittedAt",
                table: "Submissions",
                columns: new[] { "TeamId", "SubmittedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Teams_Name",
                table: "Teams",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Teams_TokenHash",
                table: "Teams",
                column: "TokenHash",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Predictions");

            migrationBuilder.DropTable(
                name: "Questions");

            migrationBuilder.DropTable(
                name: "Submissions");

            migrationBuilder.DropTable(
                name: "EvaluationSets");

            migrationBuilder.DropTable(
                name: "Teams");
        }
    }
}
