package io.sdfleet.storage.model;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Model names are plain file names: letters, digits, '.', '_', '-', '+', '(' and ')', no path separators, no
 * leading dot, no "..", at most 200 characters, ending in an extension the kind accepts. Anything else (path
 * tricks such as {@code ../x}, {@code a/b}, {@code C:\\x}, control characters) is refused before any byte is read.
 */
public final class ModelNames {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_(+-][A-Za-z0-9._()+-]{0,199}");

    private ModelNames() {
    }

    public static String check(ModelKind kind, String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name: required (the file name, e.g. model.safetensors)");
        }
        if (!NAME.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("name: a plain file name of letters, digits, '.', '_', '-', '+', '(' "
                    + "and ')' without path parts, got '" + printable(name) + "'");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        boolean extensionOk = kind.extensions().stream().anyMatch(e -> lower.endsWith(e) && lower.length() > e.length());
        if (!extensionOk) {
            throw new IllegalArgumentException("name: a " + kind.id() + " file name ends in one of "
                    + String.join(", ", kind.extensions()) + ", got '" + printable(name) + "'");
        }
        return name;
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
