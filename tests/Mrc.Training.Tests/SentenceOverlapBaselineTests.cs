namespace Mrc.Training.Tests;

public class SentenceOverlapBaselineTests
{
    [Fact]
    public void Answer_IsTheSentenceSharingMostBigramsWithTheQuestion()
    {
        const string context = "서울은 대한민국의 수도이다. 부산은 항구 도시이다.\n인천에는 공항이 있다.";

        Assert.Equal("부산은 항구 도시이다.", SentenceOverlapBaseline.Answer("항구 도시는 어디인가?", context));
        Assert.Equal("인천에는 공항이 있다.", SentenceOverlapBaseline.Answer("공항이 있는 곳은?", context));
    }

    [Fact]
    public void Answer_PrefersTheEarlierSentenceOnATie_AndHandlesEmptyContext()
    {
        Assert.Equal("가나다.", SentenceOverlapBaseline.Answer("무엇?", "가나다. 라마바."));
        Assert.Equal("", SentenceOverlapBaseline.Answer("무엇?", ""));
    }
}
