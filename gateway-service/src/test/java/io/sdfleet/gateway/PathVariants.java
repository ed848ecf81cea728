package io.sdfleet.gateway;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Other spellings of a path that a server may route to the same handler: percent-encoding, {@code ;params},
 * doubled slashes, dot segments, letter case, trailing and encoded slashes.
 */
public final class PathVariants {

    private PathVariants() {
    }

    public static List<String> of(String path) {
        String[] segments = path.substring(1).split("/");
        Set<String> out = new LinkedHashSet<>();
        out.add(path);
        out.add("/" + encodeFirstLetter(segments[0]) + path.substring(1 + segments[0].length()));
        out.add(encodeAll(path, false));
        out.add(encodeAll(path, true));
        out.add(path.replaceFirst("/", "/%2e/"));
        for (int i = 0; i < segments.length; i++) {
            out.add(join(segments, i, segments[i] + ";x=1"));
            out.add(join(segments, i, encodeFirstLetter(segments[i])));
            out.add(join(segments, i, segments[i].toUpperCase(Locale.ROOT)));
            out.add(join(segments, i, segments[i] + "/"));
            out.add(join(segments, i, segments[i] + "/."));
        }
        out.add("/" + path);
        out.add(path.replace("/", "//"));
        out.add("/./" + path.substring(1));
        out.add("/js/../" + path.substring(1));
        out.add("/js/..;/" + path.substring(1));
        out.add("/css/%2e%2e/" + path.substring(1));
        out.add(path + "/");
        out.add(path + ";jsessionid=0");
        out.add(path.replace("/", "%2F"));
        out.add(path.toUpperCase(Locale.ROOT));
        out.add(path + "?x=/js/app.js");
        out.add(path + "#/js/app.js");
        return new ArrayList<>(out);
    }

    private static String join(String[] segments, int replaced, String with) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            b.append('/').append(i == replaced ? with : segments[i]);
        }
        return b.toString();
    }

    private static String encodeFirstLetter(String segment) {
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (Character.isLetter(c)) {
                return segment.substring(0, i) + String.format("%%%02x", (int) c) + segment.substring(i + 1);
            }
        }
        return segment;
    }

    private static String encodeAll(String path, boolean upper) {
        StringBuilder b = new StringBuilder();
        for (char c : path.toCharArray()) {
            b.append(c == '/' ? "/" : String.format(upper ? "%%%02X" : "%%%02x", (int) c));
        }
        return b.toString();
    }
}
