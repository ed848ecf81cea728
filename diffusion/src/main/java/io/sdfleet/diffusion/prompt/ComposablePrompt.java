package io.sdfleet.diffusion.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static io.sdfleet.diffusion.prompt.RegexChars.isDigit;
import static io.sdfleet.diffusion.prompt.RegexChars.isOtherLineTerminator;
import static io.sdfleet.diffusion.prompt.RegexChars.isSpace;

/**
 * A1111's composable-diffusion split ({@code get_multicond_prompt_list}): {@code a cat AND a dog:0.5} is two
 * sub-prompts, each with a weight (default 1) read from a trailing {@code :number}.
 */
public final class ComposablePrompt {

    /** One sub-prompt and its weight. */
    public record Part(String text, double weight) {
    }

    // No repetition, so no backtracking: safe over any prompt.
    private static final Pattern AND = Pattern.compile("\\bAND\\b");

    private ComposablePrompt() {
    }

    public static List<Part> split(String prompt) {
        List<Part> parts = new ArrayList<>();
        for (String sub : AND.split(prompt, -1)) {
            parts.add(weighted(sub));
        }
        return parts;
    }

    /**
     * A1111's {@code re_weight}, {@code ^((?:\s|.)*?)(?:\s*:\s*([-+]?(?:\d+\.?|\d*\.\d+)))?\s*$}, read from the end:
     * a scanner, not a regex, because Java's regex recurses once per character for {@code (?:\s|.)*?} and a
     * 1,800-character prompt overflowed a worker's stack. As with the expression, the sub-prompt is kept whole
     * (weight 1) when a line terminator other than \n or \r is inside the text, which {@code .} and {@code \s}
     * both refuse.
     */
    static Part weighted(String sub) {
        // "\s*$": trailing spaces, and $ may stand before one final line terminator.
        int contentEnd = sub.length();
        if (contentEnd > 0 && isOtherLineTerminator(sub.charAt(contentEnd - 1))) {
            contentEnd--;
        }
        contentEnd = skipSpacesBack(sub, contentEnd);
        // The weight, if any: ":" then spaces then a number running up to contentEnd.
        int numberStart = contentEnd;
        while (numberStart > 0 && !isSpace(sub.charAt(numberStart - 1)) && sub.charAt(numberStart - 1) != ':') {
            numberStart--;
        }
        int colon = skipSpacesBack(sub, numberStart) - 1;
        String text;
        double weight = 1.0;
        if (colon >= 0 && sub.charAt(colon) == ':' && isNumber(sub, numberStart, contentEnd)) {
            text = sub.substring(0, skipSpacesBack(sub, colon));
            weight = Double.parseDouble(sub.substring(numberStart, contentEnd));
        } else {
            text = sub.substring(0, contentEnd);
        }
        for (int i = 0; i < text.length(); i++) {
            if (isOtherLineTerminator(text.charAt(i))) {
                return new Part(sub, 1.0); // the expression does not match at all
            }
        }
        return new Part(text, weight);
    }

    private static int skipSpacesBack(String s, int end) {
        while (end > 0 && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    /** {@code [-+]?(?:\d+\.?|\d*\.\d+)} matching all of s[from, to): a sign, digits, at most one dot, a digit. */
    private static boolean isNumber(String s, int from, int to) {
        int i = from;
        if (i < to && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            i++;
        }
        int digits = 0;
        boolean dot = false;
        for (; i < to; i++) {
            char c = s.charAt(i);
            if (isDigit(c)) {
                digits++;
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                return false;
            }
        }
        return digits > 0;
    }
}
