package io.sdfleet.diffusion.prompt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A1111's prompt styles: named templates from a {@code styles.csv} (columns {@code name, prompt, negative_prompt}).
 * Applying a style puts the user's prompt where the style says {@code {prompt}}, or appends the style after a comma
 * when it has no placeholder; the negative prompt likewise. Styles apply in the order they are named.
 */
public final class PromptStyles {

    /** One style. */
    public record Style(String name, String prompt, String negativePrompt) {
    }

    /** A prompt and negative prompt after styles. */
    public record Styled(String prompt, String negativePrompt) {
    }

    private final Map<String, Style> styles;

    private PromptStyles(Map<String, Style> styles) {
        this.styles = styles;
    }

    public static PromptStyles none() {
        return new PromptStyles(Map.of());
    }

    /** Reads a styles.csv; a missing file means no styles (A1111 starts without one). */
    public static PromptStyles load(Path csv) {
        if (csv == null || !Files.isRegularFile(csv)) {
            return none();
        }
        try {
            List<List<String>> rows = Csv.parse(Files.readString(csv, StandardCharsets.UTF_8));
            if (rows.isEmpty()) {
                return none();
            }
            List<String> header = rows.get(0);
            int name = header.indexOf("name");
            int prompt = header.indexOf("prompt");
            int negative = header.indexOf("negative_prompt");
            if (name < 0 || prompt < 0) {
                throw new IllegalArgumentException(csv + " must have the columns name, prompt[, negative_prompt]");
            }
            Map<String, Style> styles = new LinkedHashMap<>();
            for (List<String> row : rows.subList(1, rows.size())) {
                if (row.size() <= name || row.get(name).isBlank()) {
                    continue;
                }
                styles.put(row.get(name), new Style(row.get(name), cell(row, prompt), cell(row, negative)));
            }
            return new PromptStyles(styles);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Style> all() {
        return List.copyOf(styles.values());
    }

    public boolean has(String name) {
        return styles.containsKey(name);
    }

    /** The prompts with the named styles applied; an unknown name is an error naming it. */
    public Styled apply(String prompt, String negativePrompt, List<String> names) {
        String p = prompt;
        String n = negativePrompt;
        for (String name : names) {
            Style style = styles.get(name);
            if (style == null) {
                throw new IllegalArgumentException("unknown style '" + name + "'");
            }
            p = merge(style.prompt(), p);
            n = merge(style.negativePrompt(), n);
        }
        return new Styled(p, n);
    }

    /** A1111's {@code merge_prompts}. */
    static String merge(String stylePrompt, String prompt) {
        if (stylePrompt.contains("{prompt}")) {
            return stylePrompt.replace("{prompt}", prompt);
        }
        List<String> parts = new ArrayList<>();
        for (String part : new String[] {prompt.strip(), stylePrompt.strip()}) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return String.join(", ", parts);
    }

    private static String cell(List<String> row, int index) {
        return index >= 0 && index < row.size() ? row.get(index) : "";
    }

    /** RFC 4180 CSV: commas, double-quoted cells with doubled quotes, newlines inside quotes. */
    static final class Csv {
        static List<List<String>> parse(String text) {
            List<List<String>> rows = new ArrayList<>();
            List<String> row = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        cell.append(c);
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    row.add(cell.toString());
                    cell.setLength(0);
                } else if (c == '\n' || c == '\r') {
                    if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                        i++;
                    }
                    row.add(cell.toString());
                    cell.setLength(0);
                    rows.add(row);
                    row = new ArrayList<>();
                } else {
                    cell.append(c);
                }
            }
            if (cell.length() > 0 || !row.isEmpty()) {
                row.add(cell.toString());
                rows.add(row);
            }
            return rows;
        }
    }
}
