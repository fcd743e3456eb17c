import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.ko.KoreanAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;

/**
 * Recall@1/5/20 of Java Lucene BM25 with the Nori morphological analyzer (or CJK bigrams) over the
 * files prepare.py writes: the reference the .NET retriever is compared with in docs/retrieval.md.
 * Queries are built as the .NET side builds them: one SHOULD TermQuery per analyzer token.
 *
 * With a title boost above 0 the titles are indexed as a field of their own and each token is
 * searched in both fields, the title's clauses multiplied by the boost (as the .NET settings'
 * field_boosts.title).
 *
 * usage: java -cp LUCENE_JARS:. Recall DIR nori|cjk [k1 b [title_boost]]
 */
public final class Recall {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Analyzer analyzer = args[1].equals("nori") ? new KoreanAnalyzer() : new CJKAnalyzer(CharArraySet.EMPTY_SET);
        float k1 = args.length > 2 ? Float.parseFloat(args[2]) : 1.2f;
        float b = args.length > 3 ? Float.parseFloat(args[3]) : 0.75f;
        float titleBoost = args.length > 4 ? Float.parseFloat(args[4]) : 0f;
        BM25Similarity similarity = new BM25Similarity(k1, b);

        ByteBuffersDirectory index = new ByteBuffersDirectory();
        IndexWriterConfig config = new IndexWriterConfig(analyzer).setSimilarity(similarity);
        try (IndexWriter writer = new IndexWriter(index, config)) {
            for (String line : Files.readAllLines(dir.resolve("passages.tsv"), StandardCharsets.UTF_8)) {
                String[] fields = line.split("\t", -1);
                Document document = new Document();
                document.add(new StringField("id", fields[0], Field.Store.YES));
                document.add(new TextField("contents", unescape(fields[1]), Field.Store.NO));
                if (titleBoost > 0) document.add(new TextField("title", unescape(fields[2]), Field.Store.NO));
                writer.addDocument(document);
            }
        }

        int[] cutoffs = {1, 5, 20};
        int[] hits = new int[cutoffs.length];
        int questions = 0;
        try (DirectoryReader reader = DirectoryReader.open(index)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            searcher.setSimilarity(similarity);
            for (String line : Files.readAllLines(dir.resolve("questions.tsv"), StandardCharsets.UTF_8)) {
                String[] fields = line.split("\t", -1);
                Set<String> gold = new HashSet<>(List.of(fields[2].split(" ")));
                questions++;
                BooleanQuery query = query(analyzer, unescape(fields[1]), titleBoost);
                if (query == null) continue;
                ScoreDoc[] top = searcher.search(query, 20).scoreDocs;
                int firstHit = Integer.MAX_VALUE;
                for (int rank = 0; rank < top.length; rank++) {
                    if (gold.contains(searcher.doc(top[rank].doc).get("id"))) {
                        firstHit = rank + 1;
                        break;
                    }
                }
                for (int c = 0; c < cutoffs.length; c++) if (firstHit <= cutoffs[c]) hits[c]++;
            }
        }
        System.out.printf("questions %d  R@1 %.4f  R@5 %.4f  R@20 %.4f%n", questions,
            hits[0] / (double) questions, hits[1] / (double) questions, hits[2] / (double) questions);
    }

    /** One SHOULD clause per distinct token, boosted by its count (BM25 scores that like repeated clauses). */
    static BooleanQuery query(Analyzer analyzer, String text, float titleBoost) throws IOException {
        java.util.LinkedHashMap<String, Integer> counts = new java.util.LinkedHashMap<>();
        try (TokenStream stream = analyzer.tokenStream("contents", text)) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            while (stream.incrementToken()) counts.merge(term.toString(), 1, Integer::sum);
            stream.end();
        }
        if (counts.isEmpty()) return null;
        BooleanQuery.Builder builder = new BooleanQuery.Builder();
        counts.forEach((token, count) -> {
            builder.add(new org.apache.lucene.search.BoostQuery(new TermQuery(new Term("contents", token)), count), BooleanClause.Occur.SHOULD);
            if (titleBoost > 0)
                builder.add(new org.apache.lucene.search.BoostQuery(new TermQuery(new Term("title", token)), count * titleBoost), BooleanClause.Occur.SHOULD);
        });
        return builder.build();
    }

    static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char next = text.charAt(++i);
                out.append(next == 't' ? '\t' : next == 'n' ? '\n' : next == 'r' ? '\r' : next);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
