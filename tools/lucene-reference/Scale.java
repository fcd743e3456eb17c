import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.ko.KoreanAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.FSDirectory;

/**
 * The Java side of `mrc bench scale`: for each size, indexes the first N passages of a JSON Lines
 * corpus ({"id", "title", "text"} a line, read as a stream) with Nori or CJK bigrams and BM25 into a
 * folder on disk, then searches every question once on one thread (latency per query) and once in
 * batches on a thread pool, and prints the same JSON object as `mrc bench scale --json`.
 *
 * As on the .NET side: no chunking (a line is a passage), an exact-duplicate text is indexed once, a
 * 128 MB RAM buffer, one merged segment, each hit's stored fields (id, title, text) loaded, queries
 * of one SHOULD clause per distinct token (Recall.query), a hit is a passage whose text is the
 * question's gold paragraph ("context"), and the build's peak memory is this process's peak RSS
 * (VmHWM) from just before the build (reset through /proc/self/clear_refs) to its end, and its peak
 * anonymous memory (RssAnon, sampled every 100 ms: the heap and native memory without the mapped
 * index files).
 *
 * usage: java -cp LUCENE_JARS:. Scale CORPUS.jsonl QUESTIONS.jsonl SIZES nori|cjk WORK_DIR
 *        [--k 20] [--threads N] [--batch-size 256] [--warm-up 200] [--k1 1.2] [--b 0.75] [--keep]
 */
public final class Scale {
    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: Scale CORPUS.jsonl QUESTIONS.jsonl SIZES nori|cjk WORK_DIR [--k 20] [--threads N] [--batch-size 256] [--warm-up 200] [--k1 1.2] [--b 0.75] [--keep]");
            System.exit(2);
        }
        Path corpus = Path.of(args[0]);
        Path questionsPath = Path.of(args[1]);
        int[] sizes = Arrays.stream(args[2].split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        String analyzerName = args[3];
        if (!analyzerName.equals("nori") && !analyzerName.equals("cjk")) throw new IllegalArgumentException("analyzer must be nori or cjk, not " + analyzerName);
        Path work = Path.of(args[4]);
        Map<String, String> options = new HashMap<>();
        for (int i = 5; i < args.length; i++) {
            if (args[i].equals("--keep")) options.put("keep", "true");
            else options.put(args[i].substring(2), args[++i]);
        }
        int k = Integer.parseInt(options.getOrDefault("k", "20"));
        int threads = Integer.parseInt(options.getOrDefault("threads", String.valueOf(Runtime.getRuntime().availableProcessors())));
        int batchSize = Integer.parseInt(options.getOrDefault("batch-size", "256"));
        int warmUp = Integer.parseInt(options.getOrDefault("warm-up", "200"));
        float k1 = Float.parseFloat(options.getOrDefault("k1", "1.2"));
        float b = Float.parseFloat(options.getOrDefault("b", "0.75"));
        boolean keep = options.containsKey("keep");

        List<String> questions = new ArrayList<>();
        List<String> gold = new ArrayList<>();
        try (Stream<String> lines = Files.lines(questionsPath, StandardCharsets.UTF_8)) {
            lines.filter(l -> !l.isBlank()).forEach(l -> {
                Map<String, Object> q = Json.object(l);
                questions.add((String) q.get("question"));
                gold.add((String) q.get("context"));
            });
        }

        Analyzer analyzer = analyzerName.equals("nori") ? new KoreanAnalyzer() : new CJKAnalyzer(CharArraySet.EMPTY_SET);
        BM25Similarity similarity = new BM25Similarity(k1, b);
        StringBuilder results = new StringBuilder();
        for (int size : sizes) {
            Path index = work.resolve("lucene8-" + analyzerName + "-" + size);
            Files.createDirectories(index);
            try (Stream<Path> existing = Files.list(index)) {
                if (existing.findAny().isPresent()) throw new IllegalStateException(index + " already exists: remove it or give another work folder.");
            }
            if (results.length() > 0) results.append(',');
            results.append(measure(corpus, size, index, analyzer, similarity, questions, gold, k, threads, batchSize, warmUp));
            if (!keep) deleteTree(index);
        }
        System.out.printf(Locale.ROOT,
            "{\"engine\":\"lucene-8.7\",\"analyzer\":\"%s\",\"k1\":%s,\"b\":%s,\"k\":%d,\"threads\":%d,\"batch_size\":%d,\"processors\":%d,\"questions\":%d,\"results\":[%s]}%n",
            analyzerName, k1, b, k, threads, batchSize, Runtime.getRuntime().availableProcessors(), questions.size(), results);
    }

    static String measure(Path corpus, int size, Path index, Analyzer analyzer, BM25Similarity similarity, List<String> questions,
                          List<String> gold, int k, int threads, int batchSize, int warmUp) throws Exception {
        System.gc();
        boolean peakIsThisBuild = resetPeak();
        AnonymousPeak anonymous = new AnonymousPeak();
        Set<String> goldTexts = new HashSet<>(gold);
        Map<String, String> goldIds = new HashMap<>(); // gold paragraph text -> passage id
        long start = System.nanoTime();
        long passages = 0;
        try (FSDirectory directory = FSDirectory.open(index)) {
            IndexWriterConfig config = new IndexWriterConfig(analyzer).setSimilarity(similarity)
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE).setRAMBufferSizeMB(128);
            try (IndexWriter writer = new IndexWriter(directory, config);
                 BufferedReader reader = Files.newBufferedReader(corpus, StandardCharsets.UTF_8)) {
                Set<String> seen = new HashSet<>(); // first 128 bits of each text's SHA-256, as the .NET build keeps
                java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
                long read = 0, nextReport = System.nanoTime() + 1_000_000_000L;
                String line;
                while (read < size && (line = reader.readLine()) != null) {
                    if (line.isBlank()) continue;
                    read++;
                    Map<String, Object> passage = Json.object(line);
                    String text = (String) passage.get("text");
                    if (text == null || text.isBlank()) continue;
                    byte[] hash = sha256.digest(text.getBytes(StandardCharsets.UTF_8));
                    if (!seen.add(new String(hash, 0, 16, StandardCharsets.ISO_8859_1))) continue;
                    String id = String.valueOf(passage.get("id"));
                    Object title = passage.get("title");
                    Document document = new Document();
                    document.add(new StringField("id", id, Field.Store.YES));
                    document.add(new StoredField("title", title == null ? "" : (String) title));
                    document.add(new StoredField("text", text));
                    document.add(new TextField("contents", text, Field.Store.NO));
                    writer.addDocument(document);
                    passages++;
                    if (goldTexts.contains(text)) goldIds.putIfAbsent(text, id);
                    if (System.nanoTime() >= nextReport) {
                        double seconds = (System.nanoTime() - start) / 1e9;
                        System.err.printf(Locale.ROOT, "indexing: %d passages, %.0f passages/s, %.1f s%n", passages, passages / seconds, seconds);
                        nextReport = System.nanoTime() + 1_000_000_000L;
                    }
                }
                System.err.printf(Locale.ROOT, "committing: %d passages, %.1f s%n", passages, (System.nanoTime() - start) / 1e9);
                writer.forceMerge(1);
                writer.commit();
            }
        }
        double buildSeconds = (System.nanoTime() - start) / 1e9;
        Double peak = peakIsThisBuild ? peakMb() : null;
        Double peakAnonymous = anonymous.stop();
        long bytes;
        try (Stream<Path> files = Files.walk(index)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }

        try (FSDirectory directory = FSDirectory.open(index); DirectoryReader reader = DirectoryReader.open(directory)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            searcher.setSimilarity(similarity);
            for (int i = 0; i < Math.min(warmUp, questions.size()); i++) search(searcher, analyzer, questions.get(i), k);

            double[] latencies = new double[questions.size()];
            int firstHits = 0, hitsAtK = 0;
            long single = System.nanoTime();
            for (int i = 0; i < questions.size(); i++) {
                long t = System.nanoTime();
                List<String> ids = search(searcher, analyzer, questions.get(i), k);
                latencies[i] = (System.nanoTime() - t) / 1e6;
                int rank = ids.indexOf(goldIds.get(gold.get(i))) + 1;
                if (rank == 1) firstHits++;
                if (rank >= 1) hitsAtK++;
            }
            double singleQps = questions.size() / ((System.nanoTime() - single) / 1e9);
            Arrays.sort(latencies);

            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long batched = System.nanoTime();
            try {
                for (int i = 0; i < questions.size(); i += batchSize) {
                    List<Callable<List<String>>> batch = new ArrayList<>();
                    for (String q : questions.subList(i, Math.min(questions.size(), i + batchSize)))
                        batch.add(() -> search(searcher, analyzer, q, k));
                    for (Future<List<String>> f : pool.invokeAll(batch)) f.get();
                }
            } finally {
                pool.shutdown();
            }
            double batchQps = questions.size() / ((System.nanoTime() - batched) / 1e9);

            String result = String.format(Locale.ROOT,
                "{\"size\":%d,\"passages\":%d,\"build_seconds\":%.3f,\"index_bytes\":%d,\"peak_rss_mb\":%s,\"peak_anon_mb\":%s,\"search\":\"lucene-8\",\"questions\":%d,"
                    + "\"single_thread_qps\":%.1f,\"p50_ms\":%.4f,\"p99_ms\":%.4f,\"batch_qps\":%.1f,\"recall_at1\":%.4f,\"recall_at_k\":%.4f,\"top_k_differs\":null}",
                size, passages, buildSeconds, bytes, peak == null ? "null" : String.format(Locale.ROOT, "%.1f", peak),
                peakAnonymous == null ? "null" : String.format(Locale.ROOT, "%.1f", peakAnonymous), questions.size(),
                singleQps, percentile(latencies, 0.50), percentile(latencies, 0.99), batchQps,
                firstHits / (double) questions.size(), hitsAtK / (double) questions.size());
            System.err.println(result);
            return result;
        }
    }

    /** The top k passages' ids; each hit's stored fields are loaded, as the .NET searcher returns whole passages. */
    static List<String> search(IndexSearcher searcher, Analyzer analyzer, String question, int k) throws IOException {
        BooleanQuery query = Recall.query(analyzer, question, 0f);
        if (query == null) return List.of();
        List<String> ids = new ArrayList<>();
        for (ScoreDoc hit : searcher.search(query, k).scoreDocs) {
            Document document = searcher.doc(hit.doc);
            ids.add(document.get("id"));
        }
        return ids;
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) return 0;
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1))];
    }

    static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    static Double peakMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) / 1024.0;
        }
        return null;
    }

    /** RssAnon of this process in MB, or null without /proc. */
    static Double anonymousMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("RssAnon:")) return Long.parseLong(line.substring(8).trim().split("\\s+")[0]) / 1024.0;
            }
        } catch (IOException e) {
            // no /proc: no figure
        }
        return null;
    }

    /** The highest RssAnon from construction to stop(), sampled every 100 ms on a daemon thread. */
    static final class AnonymousPeak {
        private volatile boolean running = true;
        private volatile double peak;
        private final boolean readable;
        private final Thread sampler;

        AnonymousPeak() {
            Double first = anonymousMb();
            readable = first != null;
            peak = readable ? first : 0;
            sampler = new Thread(() -> {
                while (running) {
                    Double mb = anonymousMb();
                    if (mb != null && mb > peak) peak = mb;
                    try { Thread.sleep(100); } catch (InterruptedException e) { return; }
                }
            }, "RssAnon sampler");
            sampler.setDaemon(true);
            if (readable) sampler.start();
        }

        Double stop() throws InterruptedException {
            running = false;
            if (!readable) return null;
            sampler.join();
            Double last = anonymousMb();
            if (last != null && last > peak) peak = last;
            return peak;
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** Just enough JSON for one line of a corpus or question file: objects, arrays, strings, numbers, literals. */
    static final class Json {
        private final String text;
        private int at;

        private Json(String text) { this.text = text; }

        @SuppressWarnings("unchecked")
        static Map<String, Object> object(String line) {
            Json json = new Json(line);
            Object value = json.value();
            if (!(value instanceof Map)) throw new IllegalArgumentException("expected a JSON object: " + line);
            return (Map<String, Object>) value;
        }

        private Object value() {
            skip();
            char c = text.charAt(at);
            if (c == '{') {
                Map<String, Object> map = new LinkedHashMap<>();
                at++;
                skip();
                if (text.charAt(at) == '}') { at++; return map; }
                while (true) {
                    skip();
                    String key = string();
                    skip();
                    expect(':');
                    map.put(key, value());
                    skip();
                    if (text.charAt(at) == ',') { at++; continue; }
                    expect('}');
                    return map;
                }
            }
            if (c == '[') {
                List<Object> list = new ArrayList<>();
                at++;
                skip();
                if (text.charAt(at) == ']') { at++; return list; }
                while (true) {
                    list.add(value());
                    skip();
                    if (text.charAt(at) == ',') { at++; continue; }
                    expect(']');
                    return list;
                }
            }
            if (c == '"') return string();
            int start = at;
            while (at < text.length() && ",}] \t\r\n".indexOf(text.charAt(at)) < 0) at++;
            String literal = text.substring(start, at);
            switch (literal) {
                case "true": return Boolean.TRUE;
                case "false": return Boolean.FALSE;
                case "null": return null;
                default: return literal.contains(".") || literal.contains("e") || literal.contains("E") ? (Object) Double.valueOf(literal) : (Object) Long.valueOf(literal);
            }
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = text.charAt(at++);
                if (c == '"') return out.toString();
                if (c != '\\') { out.append(c); continue; }
                char e = text.charAt(at++);
                switch (e) {
                    case 'n': out.append('\n'); break;
                    case 't': out.append('\t'); break;
                    case 'r': out.append('\r'); break;
                    case 'b': out.append('\b'); break;
                    case 'f': out.append('\f'); break;
                    case 'u': out.append((char) Integer.parseInt(text.substring(at, at + 4), 16)); at += 4; break;
                    default: out.append(e);
                }
            }
        }

        private void skip() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
        }

        private void expect(char c) {
            if (text.charAt(at) != c) throw new IllegalArgumentException("expected '" + c + "' at " + at + " in " + text);
            at++;
        }
    }
}
