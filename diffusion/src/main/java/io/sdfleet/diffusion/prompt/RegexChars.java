package io.sdfleet.diffusion.prompt;

/**
 * The character classes of the regular expressions the prompt scanners replace, as {@link java.util.regex.Pattern}
 * defines them without flags, so a scanner reads a prompt exactly as the expression did.
 */
final class RegexChars {

    private RegexChars() {
    }

    /** {@code \s}: space, tab, newline, vertical tab, form feed, carriage return. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /** {@code \d}: an ASCII digit. */
    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** A line terminator that {@code .} does not match and {@code \s} does not either (\n and \r are spaces). */
    static boolean isOtherLineTerminator(char c) {
        return c == '\u0085' || c == '\u2028' || c == '\u2029';
    }
}
