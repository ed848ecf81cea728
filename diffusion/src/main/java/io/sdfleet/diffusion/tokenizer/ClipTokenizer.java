package io.sdfleet.diffusion.tokenizer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * CLIP's byte-level BPE tokenizer (openai/CLIP {@code simple_tokenizer.py}): text is cleaned and lower-cased, split
 * into words by CLIP's pattern, each word's UTF-8 bytes are mapped to printable characters, the last one marked with
 * {@code </w>}, and adjacent pairs are merged by rank until no known merge is left.
 *
 * <p>Reads either a diffusers {@code tokenizer/} folder ({@code vocab.json} + {@code merges.txt}) or openai's
 * {@code bpe_simple_vocab_16e6.txt.gz}, from which the vocabulary is rebuilt the way openai's code builds it.
 */
public final class ClipTokenizer {

    public static final int CONTEXT_LENGTH = 77;
    public static final String START = "<|startoftext|>";
    public static final String END = "<|endoftext|>";

    // openai's split pattern; \p{L} and \p{N} stand for the `regex` module's classes.
    private static final Pattern WORDS = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final ByteSymbols BYTES = new ByteSymbols();

    private final Map<String, Integer> encoder;
    private final String[] decoder;
    private final Map<String, Integer> mergeRanks;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();
    static final int MAX_CACHED_WORDS = 50_000;
    static final int MAX_CACHED_WORD_LENGTH = 64;
    private final int bos;
    private final int eos;

    private ClipTokenizer(Map<String, Integer> encoder, Map<String, Integer> mergeRanks) {
        this.encoder = encoder;
        this.mergeRanks = mergeRanks;
        int size = encoder.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        this.decoder = new String[size];
        encoder.forEach((token, id) -> decoder[id] = token);
        this.bos = requireToken(START);
        this.eos = requireToken(END);
    }

    /**
     * Loads from a folder holding {@code vocab.json} + {@code merges.txt} (or a {@code tokenizer/} sub-folder, as in
     * a diffusers model), from a folder holding {@code bpe_simple_vocab_16e6.txt.gz}, or from such a file itself.
     */
    public static ClipTokenizer load(Path path) {
        try {
            if (Files.isDirectory(path)) {
                if (Files.isRegularFile(path.resolve("vocab.json")) && Files.isRegularFile(path.resolve("merges.txt"))) {
                    return fromVocabAndMerges(path.resolve("vocab.json"), path.resolve("merges.txt"));
                }
                Path nested = path.resolve("tokenizer");
                if (Files.isDirectory(nested)) {
                    return load(nested);
                }
                try (var files = Files.list(path)) {
                    Path gz = files.filter(f -> f.getFileName().toString().endsWith(".txt.gz")).findFirst().orElse(null);
                    if (gz != null) {
                        return fromOpenAiBpe(gz);
                    }
                }
                throw new IllegalArgumentException("no CLIP tokenizer in " + path
                        + " (expected vocab.json + merges.txt, a tokenizer/ folder, or bpe_simple_vocab_16e6.txt.gz)");
            }
            if (path.getFileName().toString().endsWith(".gz")) {
                return fromOpenAiBpe(path);
            }
            throw new IllegalArgumentException("not a CLIP tokenizer: " + path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer at " + path, e);
        }
    }

    /** The tokenizer shipped with a model, if any: a diffusers folder's {@code tokenizer/}. */
    public static Optional<Path> besideModel(Path model) {
        Path folder = Files.isDirectory(model) ? model.resolve("tokenizer") : model.resolveSibling("tokenizer");
        return Files.isRegularFile(folder.resolve("vocab.json")) ? Optional.of(folder) : Optional.empty();
    }

    static ClipTokenizer fromVocabAndMerges(Path vocabJson, Path mergesTxt) throws IOException {
        Map<String, Integer> vocab = new ObjectMapper().readValue(vocabJson.toFile(), new TypeReference<>() { });
        List<String> lines = Files.readAllLines(mergesTxt, StandardCharsets.UTF_8);
        Map<String, Integer> ranks = new HashMap<>();
        int rank = 0;
        for (String line : lines) {
            if (line.startsWith("#version") || line.isBlank()) {
                continue;
            }
            ranks.put(line.trim(), rank++);
        }
        return new ClipTokenizer(vocab, ranks);
    }

    /** openai's layout: 49152 - 256 - 2 merges after the header line; vocab = bytes, bytes+</w>, merges, specials. */
    static ClipTokenizer fromOpenAiBpe(Path gz) throws IOException {
        List<String> merges = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz));
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                merges.add(line);
            }
        }
        List<String> used = merges.subList(1, 49152 - 256 - 2 + 1);
        List<String> vocab = new ArrayList<>(BYTES.inVocabOrder);
        for (String b : BYTES.inVocabOrder) {
            vocab.add(b + "</w>");
        }
        Map<String, Integer> ranks = new HashMap<>();
        for (int i = 0; i < used.size(); i++) {
            String merge = used.get(i);
            ranks.put(merge, i);
            vocab.add(merge.replace(" ", ""));
        }
        vocab.add(START);
        vocab.add(END);
        Map<String, Integer> encoder = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            encoder.put(vocab.get(i), i);
        }
        return new ClipTokenizer(encoder, ranks);
    }

    /** Token ids of {@code text} without BOS/EOS. */
    public int[] encode(String text) {
        String clean = WHITESPACE.matcher(htmlUnescape(htmlUnescape(TextFixes.fix(text)))).replaceAll(" ").strip().toLowerCase(Locale.ROOT);
        List<Integer> ids = new ArrayList<>();
        Matcher m = WORDS.matcher(clean);
        while (m.find()) {
            if (m.group().equals(START) || m.group().equals(END)) {
                ids.add(encoder.get(m.group())); // written out literally, the special tokens stay whole
                continue;
            }
            StringBuilder mapped = new StringBuilder();
            for (byte b : m.group().getBytes(StandardCharsets.UTF_8)) {
                mapped.append(BYTES.byValue[b & 0xFF]);
            }
            for (int id : bpeCached(mapped.toString())) {
                ids.add(id);
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * A word's BPE ids, remembered for words seen before. The cache is bounded in entries and word length: prompts
     * come from users, and a stream of distinct (or very long) words would otherwise grow it without end.
     */
    private int[] bpeCached(String word) {
        int[] ids = cache.get(word);
        if (ids == null) {
            ids = bpe(word);
            if (word.length() <= MAX_CACHED_WORD_LENGTH && cache.size() < MAX_CACHED_WORDS) {
                cache.putIfAbsent(word, ids);
            }
        }
        return ids;
    }

    /** Words the BPE cache holds now (tests: it stays bounded). */
    int cachedWords() {
        return cache.size();
    }

    /** BOS, the first 75 ids, EOS, padded with EOS to 77: what LDM's FrozenCLIPEmbedder feeds the text model. */
    public long[] inputIds77(String text) {
        int[] ids = encode(text);
        long[] out = new long[CONTEXT_LENGTH];
        Arrays.fill(out, eos);
        out[0] = bos;
        int n = Math.min(ids.length, CONTEXT_LENGTH - 2);
        for (int i = 0; i < n; i++) {
            out[i + 1] = ids[i];
        }
        return out;
    }

    public String token(int id) {
        return decoder[id];
    }

    /** The id of a vocabulary entry, or -1. */
    public int id(String token) {
        return encoder.getOrDefault(token, -1);
    }

    public int bos() {
        return bos;
    }

    public int eos() {
        return eos;
    }

    private int requireToken(String token) {
        Integer id = encoder.get(token);
        if (id == null) {
            throw new IllegalArgumentException("tokenizer vocabulary lacks " + token);
        }
        return id;
    }

    /** Merges the lowest-ranked adjacent pair until none is in the merge table. */
    private int[] bpe(String word) {
        List<String> parts = new ArrayList<>();
        int[] codePoints = word.codePoints().toArray();
        for (int i = 0; i < codePoints.length; i++) {
            String symbol = new String(codePoints, i, 1);
            parts.add(i == codePoints.length - 1 ? symbol + "</w>" : symbol);
        }
        while (parts.size() > 1) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i < parts.size() - 1; i++) {
                Integer rank = mergeRanks.get(parts.get(i) + " " + parts.get(i + 1));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            String first = parts.get(best);
            String second = parts.get(best + 1);
            // Merge every occurrence of this pair, left to right, as openai's loop does.
            List<String> merged = new ArrayList<>(parts.size());
            for (int i = 0; i < parts.size(); i++) {
                if (i < parts.size() - 1 && parts.get(i).equals(first) && parts.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i++;
                } else {
                    merged.add(parts.get(i));
                }
            }
            parts = merged;
        }
        int[] ids = new int[parts.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = encoder.get(parts.get(i));
            if (id == null) {
                throw new IllegalStateException("BPE produced '" + parts.get(i) + "', which the vocabulary lacks");
            }
            ids[i] = id;
        }
        return ids;
    }

    /**
     * GPT-2's reversible map from bytes to printable characters (so BPE never sees whitespace or control bytes):
     * printable bytes map to themselves, the others to 256, 257, ... Entry i is the symbol of the i-th byte in
     * openai's order (printable bytes first), which is also the order of the first 256 vocabulary entries.
     */
    /** The 256 byte symbols in vocabulary order, for tools that build CLIP-format vocabularies. */
    public static List<String> byteSymbols() {
        return List.copyOf(BYTES.inVocabOrder);
    }

    private static final class ByteSymbols {
        final String[] byValue = new String[256];
        final List<String> inVocabOrder = new ArrayList<>(256);

        ByteSymbols() {
            List<Integer> others = new ArrayList<>();
            for (int b = 0; b < 256; b++) {
                boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
                if (printable) {
                    byValue[b] = new String(Character.toChars(b));
                    inVocabOrder.add(byValue[b]);
                } else {
                    others.add(b);
                }
            }
            for (int i = 0; i < others.size(); i++) {
                int b = others.get(i);
                byValue[b] = new String(Character.toChars(256 + i));
                inVocabOrder.add(byValue[b]);
            }
        }
    }

    private static String htmlUnescape(String s) {
        return HtmlEntities.unescape(s);
    }
}
