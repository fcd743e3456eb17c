using Leaderboard.Web.Domain;
using Leaderboard.Web.Components.Shared;
using Leaderboard.Web.Evaluation;
using Microsoft.AspNetCore.Components;

namespace Leaderboard.Web.Components.Pages.Submissions;

/// <summary>One submission: live progress while it runs, then scores and the per-question table.</summary>
public partial class SubmissionDetailPage
{
    static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    [Inject] SubmissionService Submissions { get; set; } = default!;
    [Inject] ProgressHub Progress { get; set; } = default!;

    [Parameter] public long Id { get; set; }

    readonly CancellationTokenSource disposed = new();
    SubmissionView? submission;
    Caller? caller;
    PredictionFilter filter;
    PredictionTable? table;
    bool privateHidden;
    string? error;

    protected override async Task OnParametersSetAsync()
    {
        caller = await GetCallerAsync();
        if (caller is null) return;
        try
        {
            submission = await Submissions.GetAsync(caller, Id);
            privateHidden = !caller.CanSeePrivate(submission.PrivateRevealed);
            if (!submission.IsFinal) _ = WatchAsync(caller, disposed.Token);
        }
        catch (LeaderboardException e)
        {
            error = e.Message;
        }
    }

    async Task WatchAsync(Caller who, CancellationToken cancellationToken)
    {
        using var subscription = Progress.Subscribe(Id);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await subscription.WaitAsync(Poll, cancellationToken);
                var latest = await Submissions.GetAsync(who, Id, cancellationToken);
                submission = latest;
                await InvokeAsync(StateHasChanged);
                if (table is not null) await InvokeAsync(table.ReloadAsync);
                if (latest.IsFinal) return;
            }
        }
        catch (OperationCanceledException)
        {
            // the page was closed
        }
    }

    async Task CancelAsync()
    {
        try
        {
            submission = await Submissions.CancelAsync(caller!, Id);
        }
        catch (LeaderboardException e)
        {
            error = e.Message;
        }
    }

    async Task OnFilterChanged(PredictionFilter value)
    {
        filter = value;
        if (table is not null) await table.ReloadAsync();
    }

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
        GC.SuppressFinalize(this);
    }
}
