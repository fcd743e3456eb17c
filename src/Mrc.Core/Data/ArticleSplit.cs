namespace Mrc.Core.Data;

/// <summary>Which part of an article-level split an article belongs to.</summary>
public enum SplitPart { Train, Dev, Test }

/// <summary>
/// The project's fixed split of a SQuAD/KorQuAD dataset by article (never by question, so no
/// paragraph is seen in training and scored later): counting articles from 0 in file order,
/// positions ending in 0 or 5 are <see cref="SplitPart.Test"/> (held out for reporting), ending in 3
/// <see cref="SplitPart.Dev"/> (model selection and tuning), the rest <see cref="SplitPart.Train"/>.
/// On KorQuAD 1.0 dev part a (120 articles) that is 84 / 12 / 24 articles.
/// </summary>
public static class ArticleSplit
{
    public static SplitPart PartOf(int articleIndex) => (articleIndex % 10) switch
    {
        0 or 5 => SplitPart.Test,
        3 => SplitPart.Dev,
        _ => SplitPart.Train,
    };

    public static SquadDataset Select(SquadDataset dataset, SplitPart part) =>
        dataset with { Articles = dataset.Articles.Where((_, i) => PartOf(i) == part).ToList() };
}
