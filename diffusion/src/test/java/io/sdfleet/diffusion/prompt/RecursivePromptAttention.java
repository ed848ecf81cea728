package io.sdfleet.diffusion.prompt;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The regex/recursive-descent version this project used before the scanners (kept as a test oracle: the
 * scanners must agree with it on every short prompt). Recursion per character made it overflow on long prompts.
 *
 * <p>
 * A1111's emphasis syntax ({@code parse_prompt_attention}): {@code (a)} multiplies a's weight by 1.1, {@code [a]}
 * divides it by 1.1, {@code (a:1.4)} sets the factor, brackets nest, {@code \(} and friends are literal, an
 * unclosed bracket applies to the rest of the prompt, and {@code BREAK} becomes its own piece. Neighbours with the
 * same weight are merged.
 */
final class RecursivePromptAttention {

    private static final double ROUND = 1.1;
    private static final double SQUARE = 1 / 1.1;
    // Tokens in A1111's order: escapes, brackets, ":weight)", closers, plain text, a lone colon.
    private static final Pattern TOKEN = Pattern.compile(
            "\\\\\\(|\\\\\\)|\\\\\\[|\\\\]|\\\\\\\\|\\\\|\\(|\\[|:\\s*([+-]?[.\\d]+)\\s*\\)|\\)|]|[^\\\\()\\[\\]:]+|:");
    private static final Pattern BREAK = Pattern.compile("\\s*\\bBREAK\\b\\s*", Pattern.DOTALL);

    private RecursivePromptAttention() {
    }

    public static List<WeightedText> parse(String prompt) {
        List<String> texts = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        Deque<Integer> round = new ArrayDeque<>();
        Deque<Integer> square = new ArrayDeque<>();
        Matcher m = TOKEN.matcher(prompt);
        while (m.find()) {
            String token = m.group();
            String weight = m.group(1);
            if (token.startsWith("\\")) {
                texts.add(token.substring(1));
                weights.add(1.0);
            } else if (token.equals("(")) {
                round.push(texts.size());
            } else if (token.equals("[")) {
                square.push(texts.size());
            } else if (weight != null && !round.isEmpty()) {
                multiply(weights, round.pop(), Double.parseDouble(weight));
            } else if (token.equals(")") && !round.isEmpty()) {
                multiply(weights, round.pop(), ROUND);
            } else if (token.equals("]") && !square.isEmpty()) {
                multiply(weights, square.pop(), SQUARE);
            } else {
                String[] parts = BREAK.split(token, -1);
                for (int i = 0; i < parts.length; i++) {
                    if (i > 0) {
                        texts.add(WeightedText.BREAK.text());
                        weights.add(WeightedText.BREAK.weight());
                    }
                    texts.add(parts[i]);
                    weights.add(1.0);
                }
            }
        }
        // Unclosed brackets apply to everything after them; A1111 walks its stacks bottom-up.
        for (int start : reversed(round)) {
            multiply(weights, start, ROUND);
        }
        for (int start : reversed(square)) {
            multiply(weights, start, SQUARE);
        }
        if (texts.isEmpty()) {
            texts.add("");
            weights.add(1.0);
        }
        List<WeightedText> merged = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            WeightedText last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && last.weight() == weights.get(i)) {
                merged.set(merged.size() - 1, new WeightedText(last.text() + texts.get(i), last.weight()));
            } else {
                merged.add(new WeightedText(texts.get(i), weights.get(i)));
            }
        }
        return merged;
    }

    private static void multiply(List<Double> weights, int from, double factor) {
        for (int i = from; i < weights.size(); i++) {
            weights.set(i, weights.get(i) * factor);
        }
    }

    private static List<Integer> reversed(Deque<Integer> stack) {
        List<Integer> bottomUp = new ArrayList<>(stack);
        Collections.reverse(bottomUp);
        return bottomUp;
    }
}
