package io.sdfleet.diffusion.tokenizer;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of Python's {@code html.unescape} that prompts meet: numeric references and the common named entities.
 * CLIP's cleanup runs it (twice) before tokenising, so "&amp;" in a prompt is the word "&".
 */
final class HtmlEntities {

    private static final Pattern REFERENCE = Pattern.compile("&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?");
    private static final Map<String, String> NAMED = Map.of(
            "amp", "&", "lt", "<", "gt", ">", "quot", "\"", "apos", "'", "nbsp", "\u00a0");

    private HtmlEntities() {
    }

    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = REFERENCE.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String ref = m.group(1);
            String replacement = m.group();
            if (ref.startsWith("#x") || ref.startsWith("#X")) {
                replacement = codePoint(number(ref.substring(2), 16));
            } else if (ref.startsWith("#")) {
                replacement = codePoint(number(ref.substring(1), 10));
            } else if (NAMED.containsKey(ref)) {
                replacement = NAMED.get(ref);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The reference's number; any number past Unicode's range reads as one just past it (user text: no overflow). */
    private static long number(String digits, int radix) {
        int start = 0;
        while (start < digits.length() - 1 && digits.charAt(start) == '0') {
            start++;
        }
        String significant = digits.substring(start);
        return significant.length() > 8 ? Character.MAX_CODE_POINT + 1L : Long.parseLong(significant, radix);
    }

    /** As Python's html.unescape: NUL, surrogates and numbers past U+10FFFF become U+FFFD. */
    private static String codePoint(long cp) {
        if (cp == 0 || cp > Character.MAX_CODE_POINT || cp >= 0xD800 && cp <= 0xDFFF) {
            return "\uFFFD";
        }
        return new String(Character.toChars((int) cp));
    }
}
