package io.sdfleet.diffusion.prompt;

import io.sdfleet.diffusion.networks.ExtraNetworks;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Prompts as long as the gateway allows (10,000 characters), of every shape the syntax has, through every stage
 * a job's prompt goes through (extra-network tags, AND, schedule, emphasis, tokenizer and chunker). Each runs on a
 * thread with a small stack: a parser that recurses once per character (as a regex with an alternation inside a
 * repeated group does) overflows it, and a StackOverflowError in a worker once drained the fleet.
 */
class LongPromptTest {

    static final int LENGTH = 10_000;
    private static final long SMALL_STACK = 256 * 1024;
    private static final ClipTokenizer TOKENIZER = ClipTokenizer.load(Reference.file("clip-tokenizer"));

    static Stream<String> shapes() {
        return Stream.of(
                "a, ",
                "a cat, ",
                ",",
                " ",
                "\n\t ",
                "(",
                ")",
                "[",
                "]",
                "((a)) ",
                "(a:1.2) ",
                "(a:1.2), [b], ",
                "(((((",
                "[[[[[",
                "[(",
                "a:",
                ":1.5 ",
                "[a:b:0.5] ",
                "[a:b:3] [c::2] [d:4] ",
                "[a|b] ",
                "[a|b|c] ",
                "|",
                "a AND ",
                "a AND b:0.5 AND ",
                " AND",
                "ANDAND ",
                "a BREAK ",
                "BREAK",
                "\\(\\) \\[\\] \\\\ ",
                "\\",
                "<lora:x:1> ",
                "<lora:x:1",
                "<",
                "&amp; &#65; &",
                "a",
                "\u732b\u3001",
                "\uD83D\uDE00 ",
                "caf\u00e9 \u00e9\u00e9\u00e9 ",
                "1234567890",
                "[a:(b:1.1):0.5] (c [d|e]) ",
                "[a:[b:[c:1]:2]:3] ",
                "((a:1.1) [b|(c)]:0.5) AND [x:y:0.3] BREAK \\(z\\) <lora:w:0.5>, ");
    }

    @ParameterizedTest(name = "\"{0}\" repeated to 10,000 characters")
    @MethodSource("shapes")
    void everyStageCompletesOnASmallStack(String unit) throws Exception {
        String prompt = repeat(unit);
        Result r = onSmallStack(() -> parse(prompt));
        assertThat(r.parts).isPositive();
        assertThat(r.schedules).isPositive();
        assertThat(r.chunks).isPositive();
        assertThat(r.tokens).isLessThanOrEqualTo(r.chunks * PromptChunker.CHUNK_LENGTH);
    }

    @ParameterizedTest(name = "\"{0}\" + 10,000 nested")
    @MethodSource("nestings")
    void deepNestingCompletesOnASmallStack(String open, String close) throws Exception {
        String prompt = open.repeat(LENGTH / 2 / open.length()) + "a" + close.repeat(LENGTH / 2 / close.length());
        Result r = onSmallStack(() -> parse(prompt));
        assertThat(r.chunks).isPositive();
    }

    static Stream<Arguments> nestings() {
        return Stream.of(
                Arguments.of("(", ")"),
                Arguments.of("[", "]"),
                Arguments.of("[", ":1]"),
                Arguments.of("[a|", "]"),
                Arguments.of("(a:", ")"),
                Arguments.of("[(", ")]"));
    }

    /** One word of 10,000 letters is one BPE word: still tokenised, not thrown out. */
    @ParameterizedTest(name = "a single word of {0}")
    @MethodSource("words")
    void aLongSingleWordIsTokenised(String letter) throws Exception {
        Result r = onSmallStack(() -> parse(letter.repeat(LENGTH / letter.length())));
        assertThat(r.tokens).isPositive();
    }

    static Stream<String> words() {
        return Stream.of("a", "ab", "\u00e9");
    }

    record Result(int parts, int schedules, int chunks, int tokens) {
    }

    /** What a worker does with a prompt before the text encoder, stage by stage. */
    static Result parse(String prompt) {
        PromptChunker chunker = new PromptChunker(TOKENIZER);
        ExtraNetworks.Parsed tags = ExtraNetworks.parse(prompt);
        List<ComposablePrompt.Part> parts = ComposablePrompt.split(tags.prompt());
        int schedules = 0;
        int chunks = 0;
        int tokens = 0;
        for (ComposablePrompt.Part part : parts) {
            assertThat(Double.isNaN(part.weight())).isFalse();
            List<PromptSchedule.Entry> schedule = PromptSchedule.of(part.text(), 20);
            schedules += schedule.size();
            // Every entry is tokenised by the worker; two (first and last) show each stage runs on the whole text.
            for (PromptSchedule.Entry entry : List.of(schedule.get(0), schedule.get(schedule.size() - 1))) {
                assertThat(PromptAttention.parse(entry.prompt())).isNotEmpty();
                TokenizedPrompt t = chunker.tokenize(entry.prompt());
                chunks += t.chunks().size();
                tokens += t.tokenCount();
            }
        }
        return new Result(parts.size(), schedules, chunks, tokens);
    }

    static String repeat(String unit) {
        StringBuilder b = new StringBuilder(LENGTH);
        while (b.length() + unit.length() <= LENGTH) {
            b.append(unit);
        }
        return b.toString();
    }

    /** Runs {@code task} on a thread with a 256 KiB stack and returns its result, rethrowing what it threw. */
    static <T> T onSmallStack(Supplier<T> task) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                result.set(task.get());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "small-stack", SMALL_STACK);
        t.start();
        t.join();
        if (failure.get() instanceof Error e) {
            throw new AssertionError("failed on a " + SMALL_STACK / 1024 + " KiB stack: " + e, e);
        }
        if (failure.get() instanceof Exception e) {
            throw e;
        }
        return result.get();
    }
}
