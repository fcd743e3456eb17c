using Grpc.Core;
using Mrc.Clients;
using Mrc.Leaderboard.Evaluation;

namespace Mrc.Leaderboard.Domain;

/// <summary>
/// Checks the retriever index an evaluation set is to be read against, by asking the retriever which
/// indexes it serves (Retriever.ListIndexes): a set is never stored with an index its model runs could
/// not search. Runs on a set without an index search the retriever's default one, so those are not checked.
/// </summary>
public sealed class RetrieverIndexCheck(PipelineClient pipeline)
{
    /// <summary>The longest index name stored; the retriever's names are far shorter in practice.</summary>
    public const int MaxNameLength = 100;

    /// <summary>The stored form of an index name: trimmed; null for none (the retriever's default).</summary>
    public static string? Normalize(string? index) => string.IsNullOrWhiteSpace(index) ? null : index.Trim();

    /// <summary>
    /// Refuses an index the retriever does not serve (FailedPrecondition, listing the ones it does), or
    /// Unavailable when the retriever cannot be asked. A null index (the default) needs no check.
    /// </summary>
    public async Task EnsureServedAsync(string? index, CancellationToken cancellationToken)
    {
        if (index is null) return;
        if (index.Length > MaxNameLength)
            throw new LeaderboardException(LeaderboardError.InvalidArgument,
                $"A retriever index name has at most {MaxNameLength} characters.",
                $"검색 색인 이름은 {MaxNameLength}자 이하여야 합니다.");
        IReadOnlyList<string> served;
        try
        {
            served = await pipeline.ListIndexesAsync(cancellationToken);
        }
        catch (ServiceUnavailableException e)
        {
            throw new LeaderboardException(LeaderboardError.Unavailable,
                $"The retriever could not be reached to check index \"{index}\", so nothing was saved: {e.Message}",
                $"검색기에 연결할 수 없어 색인 \"{index}\"을(를) 확인하지 못했습니다. 저장하지 않았습니다. ({e.Message})");
        }
        catch (RpcException e)
        {
            // A refusal no retry mends, e.g. Unimplemented from a retriever that predates named indexes.
            throw new LeaderboardException(LeaderboardError.FailedPrecondition,
                $"The retriever refused to list its indexes ({e.StatusCode}: {e.Status.Detail}), so index \"{index}\" cannot be checked.",
                $"검색기가 색인 목록을 주지 않아 색인 \"{index}\"을(를) 확인할 수 없습니다 ({e.StatusCode}: {e.Status.Detail}).");
        }
        if (served.Contains(index, StringComparer.Ordinal)) return;
        string list = string.Join(", ", served);
        throw new LeaderboardException(LeaderboardError.FailedPrecondition,
            $"The retriever has no index named \"{index}\". It serves: {list}.",
            $"검색기에 \"{index}\" 색인이 없습니다. 검색기가 가진 색인: {list}.");
    }
}
