using System.ComponentModel.DataAnnotations;
using Mrc.Leaderboard.Evaluation;

namespace Mrc.Leaderboard;

/// <summary>Section "Leaderboard": competition rules and limits, sessions and secrets.</summary>
public sealed class LeaderboardOptions : IValidatableObject
{
    public const string SectionName = "Leaderboard";

    /// <summary>Secret that signs in as administrator (browser) or authenticates admin API calls. Required.</summary>
    [Required, MinLength(12)]
    public string AdminSecret { get; set; } = "";

    /// <summary>Share of each new evaluation set's questions that go to the private split (0..1).</summary>
    [Range(0.0, 1.0)]
    public double PrivateShare { get; set; } = 0.6;

    /// <summary>Submissions per team per UTC day, failed runs not counted.</summary>
    [Range(1, 100_000)]
    public int DailySubmissionLimit { get; set; } = 5;

    /// <summary>Largest evaluation set or predictions upload accepted, in bytes.</summary>
    [Range(1_000, 2_000_000_000)]
    public long MaxUploadBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Uploads (predictions files, evaluation sets) handled at once; one more is refused with ResourceExhausted.</summary>
    [Range(1, 1000)]
    public int MaxConcurrentUploads { get; set; } = 4;

    /// <summary>Failed authentications in a row from one client address before it is locked out (API and browser sign-in).</summary>
    [Range(1, 1000)]
    public int SignInFailuresAllowed { get; set; } = 5;

    /// <summary>How long a client address stays locked out after too many failed authentications.</summary>
    [Range(1, 86_400)]
    public double SignInLockoutSeconds { get; set; } = 60;

    /// <summary>Top-k used when a model run asks for 0.</summary>
    [Range(1, 1000)]
    public int DefaultTopK { get; set; } = 10;

    /// <summary>Largest top-k a model run may ask for.</summary>
    [Range(1, 1000)]
    public int MaxTopK { get; set; } = 50;

    /// <summary>Days a new team token stays valid; 0 for tokens that do not expire.</summary>
    [Range(0, 36_500)]
    public int TokenLifetimeDays { get; set; }

    /// <summary>
    /// Seconds between checks of an open page's session: after a token rotation or a change of the admin
    /// secret, an open page loses its identity within this time. (Cookies are checked on every request.)
    /// </summary>
    [Range(0.1, 3600)]
    public double SessionRevalidationSeconds { get; set; } = 30;

    /// <summary>
    /// Comma-separated addresses and CIDR networks of the reverse proxies whose X-Forwarded-Proto and
    /// X-Forwarded-For are believed (see <see cref="Mrc.Leaderboard.TrustedProxies"/>); loopback by default.
    /// </summary>
    public string TrustedProxies { get; set; } = "127.0.0.0/8,::1";

    /// <summary>Seconds between checks for sets whose close has passed, whose private split is then revealed.</summary>
    [Range(0.05, 3600)]
    public double PhaseCheckSeconds { get; set; } = 30;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Mrc.Leaderboard.TrustedProxies.Parse(TrustedProxies) is null)
            yield return new ValidationResult(
                $"Leaderboard:TrustedProxies must list IP addresses or CIDR networks separated by commas, not \"{TrustedProxies}\".",
                [nameof(TrustedProxies)]);
    }
}

/// <summary>
/// Section "Demo": what a local run registers at its first start, so that a new user finds an evaluation
/// set and a team to submit with. Empty values register nothing (the deployed form).
/// </summary>
public sealed class DemoOptions : IValidatableObject
{
    public const string SectionName = "Demo";

    /// <summary>Name of the demo evaluation set.</summary>
    public string EvaluationSetName { get; set; } = "";

    /// <summary>SQuAD/KorQuAD JSON or JSONL file registered as that set if no set has the name yet.</summary>
    public string EvaluationSetPath { get; set; } = "";

    /// <summary>Name of the demo team.</summary>
    public string TeamName { get; set; } = "";

    /// <summary>The demo team's token, for signing in and for `mrc submit`; at least 12 characters.</summary>
    public string TeamToken { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (EvaluationSetPath.Length > 0 && EvaluationSetName.Trim().Length == 0)
            yield return new ValidationResult("Demo:EvaluationSetName is required with Demo:EvaluationSetPath.");
        if ((TeamName.Length > 0) != (TeamToken.Length > 0))
            yield return new ValidationResult("Demo:TeamName and Demo:TeamToken go together.");
        if (TeamToken.Length is > 0 and < 12)
            yield return new ValidationResult("Demo:TeamToken needs at least 12 characters.");
    }
}

/// <summary>Section "Database": which provider the leaderboard stores its data in.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>"sqlite" (default; connection string "Leaderboard") or "postgres" (connection string "LeaderboardPostgres").</summary>
    [Required, RegularExpression("^(sqlite|postgres)$", ErrorMessage = "Database:Provider must be sqlite or postgres.")]
    public string Provider { get; set; } = "sqlite";
}

/// <summary>Section "Evaluation": how the worker talks to the retriever and the reader.</summary>
public sealed class EvaluationOptions : IValidatableObject
{
    public const string SectionName = "Evaluation";

    /// <summary>
    /// RetrieverService's gRPC endpoint (HTTP/2): one replica (<c>http://host:port</c>), or every address a
    /// DNS name resolves to (<c>dns:///host:port</c>, re-resolved every 30 s and after a connection fails).
    /// </summary>
    public Uri? RetrieverAddress { get; set; }

    /// <summary>Several RetrieverService replicas (<c>http://host:port</c> each), instead of RetrieverAddress.</summary>
    public Uri[] RetrieverAddresses { get; set; } = [];

    /// <summary>ReaderService's gRPC endpoint, as RetrieverAddress.</summary>
    public Uri? ReaderAddress { get; set; }

    /// <summary>Several ReaderService replicas, instead of ReaderAddress.</summary>
    public Uri[] ReaderAddresses { get; set; } = [];

    /// <summary>Questions sent in one RetrieveBatch call.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 16;

    /// <summary>Reader.Read calls in flight at once within a batch.</summary>
    [Range(1, 64)]
    public int ReadParallelism { get; set; } = 4;

    /// <summary>Deadline of one RetrieveBatch call.</summary>
    [Range(0.1, 3600)]
    public double RetrieveTimeoutSeconds { get; set; } = 60;

    /// <summary>Deadline of one Read call.</summary>
    [Range(0.1, 3600)]
    public double ReadTimeoutSeconds { get; set; } = 60;

    /// <summary>Deadline of ListModels.</summary>
    [Range(0.1, 600)]
    public double ListModelsTimeoutSeconds { get; set; } = 10;

    /// <summary>Deadline of the retriever's ListIndexes (checking a set's index when it is registered or changed).</summary>
    [Range(0.1, 600)]
    public double ListIndexesTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Attempts per call while the service answers Unavailable or ResourceExhausted (or the deadline
    /// passes) before the job fails; waits double from InitialBackoffSeconds up to 30 s, so the default
    /// rides out a service restart of about two minutes.
    /// </summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>How long a job keeps retrying its database work while the database is busy or restarting.</summary>
    [Range(1, 86_400)]
    public double DatabaseRetrySeconds { get; set; } = 600;

    /// <summary>Wait before the first retry; doubled after each further failure.</summary>
    [Range(0.001, 600)]
    public double InitialBackoffSeconds { get; set; } = 0.5;

    /// <summary>Answers kept per question (the reader's n-best).</summary>
    [Range(1, 20)]
    public int NBest { get; set; } = 5;

    /// <summary>
    /// How long a claimed model run stays this instance's without a renewal; the worker renews it every
    /// third of this while the run goes on. When the instance dies, another takes the run over this long
    /// after the last renewal. Instances on one database need clocks that agree to well within this.
    /// </summary>
    [Range(1, 3600)]
    public double LeaseSeconds { get; set; } = 30;

    /// <summary>How often an idle worker looks in the database for queued runs and expired leases.</summary>
    [Range(0.05, 3600)]
    public double PollSeconds { get; set; } = 5;

    /// <summary>
    /// This instance's name in job leases. Empty (the default): host name, process id and a random part,
    /// new at every start, so a restarted instance takes its old runs back once their leases expire. A
    /// fixed name takes them back at once — give each instance its own, never two running ones the same.
    /// </summary>
    [MaxLength(120)]
    public string InstanceId { get; set; } = "";

    /// <summary>
    /// The reader's Reader:Uploads:Secret, which the leaderboard presents when it passes a team's model
    /// upload through to the reader. Empty (the default): team model uploads are off.
    /// </summary>
    public string ReaderUploadSecret { get; set; } = "";

    public ServiceReplicas Retrievers => new("retriever", RetrieverAddress, RetrieverAddresses);
    public ServiceReplicas Readers => new("reader", ReaderAddress, ReaderAddresses);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        new[] { (Retrievers, nameof(RetrieverAddress), nameof(RetrieverAddresses)), (Readers, nameof(ReaderAddress), nameof(ReaderAddresses)) }
            .Where(service => service.Item1.Problem is not null)
            .Select(service => new ValidationResult($"Evaluation:{service.Item2}/{service.Item3}: {service.Item1.Problem}", [service.Item2, service.Item3]));
}
