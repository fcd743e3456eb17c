import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ko.KoreanAnalyzer;
import org.apache.lucene.analysis.ko.KoreanPartOfSpeechStopFilter;
import org.apache.lucene.analysis.ko.KoreanTokenizer;
import org.apache.lucene.analysis.ko.dict.UserDictionary;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;

/**
 * The tokens of Nori's KoreanAnalyzer (its defaults, and the user dictionary if one is given: one
 * word per line) for each line of TEXTS, one output line per input line: the tokens separated by tabs, each as TERM SPACE START SPACE END (offsets in
 * UTF-16 code units). The reference the .NET Korean analyzer is tested against
 * (tests/RetrieverService.Tests/KoreanAnalyzerTests.cs). Input lines use \n; a literal "\t" in a line
 * stands for a tab and "\n" for a line break inside the text.
 *
 * usage: java -cp LUCENE_JARS:. NoriTokens TEXTS [USER_DICTIONARY]
 */
public final class NoriTokens {
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    UserDictionary user = null;
    if (args.length > 1) {
      try (Reader words = Files.newBufferedReader(Path.of(args[1]), StandardCharsets.UTF_8)) {
        user = UserDictionary.open(words);
      }
    }
    try (KoreanAnalyzer analyzer = new KoreanAnalyzer(user, KoreanTokenizer.DEFAULT_DECOMPOUND,
        KoreanPartOfSpeechStopFilter.DEFAULT_STOP_TAGS, false)) {
      for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
        String text = line.replace("\\t", "\t").replace("\\n", "\n");
        StringBuilder tokens = new StringBuilder();
        try (TokenStream stream = analyzer.tokenStream("text", text)) {
          CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
          OffsetAttribute offset = stream.addAttribute(OffsetAttribute.class);
          stream.reset();
          while (stream.incrementToken()) {
            if (tokens.length() > 0) tokens.append('\t');
            tokens.append(term).append(' ').append(offset.startOffset()).append(' ').append(offset.endOffset());
          }
          stream.end();
        }
        out.println(tokens);
      }
    }
    out.flush();
  }
}
