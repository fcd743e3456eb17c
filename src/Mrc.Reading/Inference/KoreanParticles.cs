namespace Mrc.Reading.Inference;

/// <summary>
/// Optional removal of one trailing Korean particle (josa) from an answer, e.g. "서울에서" → "서울".
/// Off by default: it also cuts words that merely end like a particle ("고양이" → "고양").
/// </summary>
/// <remarks>
/// Particles, longest tried first: 에서는 으로는 에게서 이라는 이라고 에서 에게 께서 으로 까지 부터
/// 처럼 보다 이나 이며 이다 라는 에는 와 과 은 는 이 가 을 를 의 에 로 도 만.
/// Removed only when it follows a Hangul syllable and at least one character remains.
/// </remarks>
public static class KoreanParticles
{
    public static readonly IReadOnlyList<string> Particles =
    [
        "에서는", "으로는", "에게서", "이라는", "이라고",
        "에서", "에게", "께서", "으로", "까지", "부터", "처럼", "보다", "이나", "이며", "이다", "라는", "에는",
        "와", "과", "은", "는", "이", "가", "을", "를", "의", "에", "로", "도", "만",
    ];

    /// <summary>How many characters of trailing particle to remove from <paramref name="answer"/> (0 if none).</summary>
    public static int TrailingParticleLength(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        foreach (var particle in Particles)
        {
            if (answer.Length <= particle.Length || !answer.EndsWith(particle, StringComparison.Ordinal)) continue;
            var before = answer[answer.Length - particle.Length - 1];
            if (before is >= '\uAC00' and <= '\uD7A3') return particle.Length;
        }
        return 0;
    }

    public static string Strip(string answer) => answer[..(answer.Length - TrailingParticleLength(answer))];
}
