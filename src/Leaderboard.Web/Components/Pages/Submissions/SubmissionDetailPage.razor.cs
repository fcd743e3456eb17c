using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Components.Shared;
using Mrc.Leaderboard.Evaluation;
using Microsoft.AspNetCore.Components;

namespace Mrc.Leaderboard.Components.Pages.Submissions;

/// <summary>One submission: live progress while it runs, then scores and the per-question table.</summary>
public partial class SubmissionDetailPage
{
    static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);
    // At most one refresh a second, however fast predictions arrive.
    static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromSeconds(1);

    [Inject] SubmissionService Submissions { get; set; } = default!;
    [Inject] ProgressHub Progress { get; set; } = default!;

    [Parameter] public long Id { get; set; }

    readonly CancellationTokenSource disposed = new();
    CancellationTokenSource? watching;
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
            watching?.Cancel();
            watching = CancellationTokenSource.CreateLinkedTokenSource(disposed.Token);
            if (!submission.IsFinal) _ = WatchAsync(caller, watching.Token);
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
                await Task.Delay(MinimumRefreshInterval, cancellationToken);
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
        watching?.Dispose();
        disposed.Dispose();
        GC.SuppressFinalize(this);
    }
}
