using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;

namespace Mrc.Retrieval.Analysis;

/// <summary>
/// Takes the particle (josa) off the end of a Hangul word, the longest one that leaves a word
/// behind: 서울에서 → 서울, 대통령은 → 대통령, 한국의 → 한국. The words field's <c>particles</c> analyzer
/// (<see cref="WordsAnalysis"/>): a rough stand-in for morphological analysis, kept because indexes
/// built before <c>morphemes</c> existed are searched with it.
/// </summary>
internal sealed class ParticleStripFilter : TokenFilter
{
    /// <summary>Particles and particle combinations, longest first so the longest match wins.</summary>
    static readonly string[] Particles = [.. new[]
    {
        "이", "가", "은", "는", "을", "를", "의", "에", "와", "과", "도", "만", "로", "나", "며", "랑", "야",
        "에서", "에게", "께서", "으로", "까지", "부터", "보다", "처럼", "한테", "마다", "이나", "이며", "이랑",
        "에는", "에도", "에서는", "에서도", "에게는", "으로는", "로는", "으로서", "로서", "으로써", "로써",
        "이라는", "라는", "이라고", "라고", "이다", "였다", "이었다", "인", "이고", "이자", "과의", "와의", "에의",
        "만큼", "조차", "마저", "밖에", "께", "들은", "들이", "들을", "들의", "들과", "들에게",
    }.Distinct(StringComparer.Ordinal).OrderByDescending(p => p.Length)];

    readonly ICharTermAttribute term;
    readonly ITypeAttribute type;

    public ParticleStripFilter(TokenStream input) : base(input)
    {
        term = AddAttribute<ICharTermAttribute>();
        type = AddAttribute<ITypeAttribute>();
    }

    public override bool IncrementToken()
    {
        if (!m_input.IncrementToken()) return false;
        if (type.Type != "<HANGUL>") return true;
        string word = term.ToString();
        foreach (var particle in Particles)
        {
            if (word.Length > particle.Length && word.EndsWith(particle, StringComparison.Ordinal))
            {
                term.SetLength(word.Length - particle.Length);
                break;
            }
        }
        return true;
    }
}
