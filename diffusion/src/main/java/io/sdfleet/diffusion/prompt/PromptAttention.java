package io.sdfleet.diffusion.prompt;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sdfleet.diffusion.prompt.RegexChars.isDigit;
import static io.sdfleet.diffusion.prompt.RegexChars.isSpace;

/**
 * A1111's emphasis syntax ({@code parse_prompt_attention}): {@code (a)} multiplies a's weight by 1.1, {@code [a]}
 * divides it by 1.1, {@code (a:1.4)} sets the factor, brackets nest, {@code \(} and friends are literal, an
 * unclosed bracket applies to the rest of the prompt, and {@code BREAK} becomes its own piece. Neighbours with the
 * same weight are merged.
 */
public final class PromptAttention {

    private static final double ROUND = 1.1;
    private static final double SQUARE = 1 / 1.1;

    /** The word of A1111's {@code re_break}; no repetition, so no backtracking. */
    private static final Pattern BREAK_WORD = Pattern.compile("\\bBREAK\\b");

    private PromptAttention() {
    }

    public static List<WeightedText> parse(String prompt) {
        List<String> texts = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        Deque<Integer> round = new ArrayDeque<>();
        Deque<Integer> square = new ArrayDeque<>();
        Tokens tokens = new Tokens(prompt);
        while (tokens.next()) {
            String token = tokens.token;
            String weight = tokens.weight;
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
                List<String> parts = splitOnBreak(token);
                for (int i = 0; i < parts.size(); i++) {
                    if (i > 0) {
                        texts.add(WeightedText.BREAK.text());
                        weights.add(WeightedText.BREAK.weight());
                    }
                    texts.add(parts.get(i));
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

    /**
     * {@code BREAK.split(text, -1)} for A1111's {@code \s*\bBREAK\b\s*}: each BREAK (a whole word) with the
     * spaces around it is a separator. Only the word is found by a regex (it has no repetition); the spaces are
     * skipped by hand, since {@code \s*} tried at every position of a long run of spaces is quadratic.
     */
    static List<String> splitOnBreak(String text) {
        List<String> parts = new ArrayList<>();
        Matcher m = BREAK_WORD.matcher(text);
        int from = 0;
        while (m.find()) {
            int start = m.start();
            while (start > from && isSpace(text.charAt(start - 1))) {
                start--;
            }
            int end = m.end();
            while (end < text.length() && isSpace(text.charAt(end))) {
                end++;
            }
            parts.add(text.substring(from, start));
            from = end; // the next BREAK word is past these spaces, and find() goes on from the word's end
        }
        parts.add(text.substring(from));
        return parts;
    }

    /**
     * The tokens of A1111's {@code re_attention}, in its order of preference: an escape ({@code \( \) \[ \] \\}), a
     * lone backslash, an opening bracket, {@code :weight)} (with {@link #weight} set), a closing bracket, plain text
     * (a run of anything but backslashes, brackets and colons), a lone colon. A scanner, not a regex: the prompt
     * layer keeps Java's regex away from user text, where a repeated alternation recurses once per character.
     */
    private static final class Tokens {
        private final String s;
        private int pos;
        String token;
        String weight;

        Tokens(String s) {
            this.s = s;
        }

        boolean next() {
            if (pos >= s.length()) {
                return false;
            }
            int start = pos;
            char c = s.charAt(pos);
            weight = null;
            if (c == '\\') {
                pos += pos + 1 < s.length() && "()[]\\".indexOf(s.charAt(pos + 1)) >= 0 ? 2 : 1;
            } else if (c == ':') {
                pos = weightEnd(pos);
            } else if ("()[]".indexOf(c) >= 0) {
                pos++;
            } else {
                while (pos < s.length() && "\\()[]:".indexOf(s.charAt(pos)) < 0) {
                    pos++;
                }
            }
            token = s.substring(start, pos);
            return true;
        }

        /** After the ":weight)" at {@code colon} ({@code :\s*([+-]?[.\d]+)\s*\)}), or just after a lone colon. */
        private int weightEnd(int colon) {
            int i = skipSpaces(colon + 1);
            int numberStart = i;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int digitsStart = i;
            while (i < s.length() && (s.charAt(i) == '.' || isDigit(s.charAt(i)))) {
                i++;
            }
            int numberEnd = i;
            i = skipSpaces(i);
            if (numberEnd > digitsStart && i < s.length() && s.charAt(i) == ')') {
                weight = s.substring(numberStart, numberEnd);
                return i + 1;
            }
            return colon + 1;
        }

        private int skipSpaces(int i) {
            while (i < s.length() && isSpace(s.charAt(i))) {
                i++;
            }
            return i;
        }
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
