package io.sdfleet.diffusion.infotext;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A1111's generation-parameters text ("infotext"), as stored in a PNG's {@code parameters} chunk:
 *
 * <pre>
 * prompt (may span lines)
 * Negative prompt: negative (line omitted when empty)
 * Steps: 20, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Seed: 1, Size: 512x512, ...
 * </pre>
 *
 * Values containing a comma, colon or newline are JSON-quoted, as {@code infotext_utils.quote} does.
 */
public record Infotext(String prompt, String negativePrompt, Map<String, String> parameters) {

    private static final ObjectMapper JSON = new ObjectMapper();
    // A1111's re_param_code: key, then a quoted string or anything up to the next comma.
    // The quoted alternative is unrolled and possessive ("[^"\\]*+(?:\\.[^"\\]*+)*+") rather than A1111's
    // "(?:\\.|[^\\"])+", which java.util.regex matches by recursing once per character: a long quoted value
    // overflowed the stack. It matches the same values ("" included, which unquotes to "" either way).
    private static final Pattern PARAM = Pattern.compile(
            "\\s*(\\w[\\w \\-/]+):\\s*(\"[^\\\\\"]*+(?:\\\\.[^\\\\\"]*+)*+\"|[^,]*)(?:,|$)");
    private static final String NEGATIVE = "Negative prompt:";

    public Infotext {
        parameters = new LinkedHashMap<>(parameters);
    }

    public String format() {
        StringBuilder text = new StringBuilder(prompt);
        if (negativePrompt != null && !negativePrompt.isEmpty()) {
            text.append('\n').append(NEGATIVE).append(' ').append(negativePrompt);
        }
        StringBuilder line = new StringBuilder();
        for (Map.Entry<String, String> e : parameters.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            if (!line.isEmpty()) {
                line.append(", ");
            }
            line.append(e.getKey()).append(": ").append(quote(e.getValue()));
        }
        return text.append('\n').append(line).toString();
    }

    /** Parses an infotext the way A1111's {@code parse_generation_parameters} splits it (values stay strings). */
    public static Infotext parse(String text) {
        List<String> lines = text.strip().lines().toList();
        Map<String, String> params = new LinkedHashMap<>();
        int end = lines.size();
        if (end > 0) {
            Map<String, String> last = parseParameterLine(lines.get(end - 1));
            if (last.size() >= 3) {
                params = last;
                end--;
            }
        }
        StringBuilder prompt = new StringBuilder();
        StringBuilder negative = new StringBuilder();
        boolean inNegative = false;
        for (String line : lines.subList(0, end)) {
            String l = line.strip();
            if (l.startsWith(NEGATIVE)) {
                inNegative = true;
                l = l.substring(NEGATIVE.length()).strip();
            }
            StringBuilder target = inNegative ? negative : prompt;
            if (!target.isEmpty()) {
                target.append('\n');
            }
            target.append(l);
        }
        return new Infotext(prompt.toString(), negative.toString(), params);
    }

    private static Map<String, String> parseParameterLine(String line) {
        try {
            return matchParameters(line);
        } catch (StackOverflowError e) {
            // thousands of escapes in one quoted value still recurse per escape; not an infotext A1111 wrote
            return new LinkedHashMap<>();
        }
    }

    private static Map<String, String> matchParameters(String line) {
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(line);
        while (m.find()) {
            String value = m.group(2).strip();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = unquote(value);
            }
            params.put(m.group(1).strip(), value);
        }
        return params;
    }

    static String quote(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('\n') < 0 && value.indexOf(':') < 0) {
            return value;
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String unquote(String quoted) {
        try {
            return JSON.readValue(quoted, String.class);
        } catch (JsonProcessingException e) {
            return quoted;
        }
    }
}
