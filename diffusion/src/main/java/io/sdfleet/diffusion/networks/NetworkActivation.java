package io.sdfleet.diffusion.networks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code <type:arg:arg...>} tag found in a prompt, A1111's {@code ExtraNetworkParams}: the arguments split on
 * ':' into positional ones and {@code key=value} ones. The first positional argument is the network's name.
 */
public record NetworkActivation(String type, List<String> positional, Map<String, String> named) {

    public NetworkActivation {
        positional = List.copyOf(positional);
        named = Map.copyOf(named);
    }

    /** Splits the text between the first ':' and '>' as A1111 does (items with '=' become named). */
    public static NetworkActivation of(String type, String arguments) {
        List<String> positional = new ArrayList<>();
        Map<String, String> named = new LinkedHashMap<>();
        for (String item : arguments.split(":", -1)) {
            int eq = item.indexOf('=');
            if (eq >= 0) {
                named.put(item.substring(0, eq), item.substring(eq + 1));
            } else {
                positional.add(item);
            }
        }
        return new NetworkActivation(type, positional, named);
    }

    public String name() {
        if (positional.isEmpty()) {
            throw new IllegalArgumentException("<" + type + ":...> names no network");
        }
        return positional.get(0);
    }

    /** Positional argument {@code index} as a number (Python's float()), or {@code fallback} when absent. */
    double number(int index, double fallback) {
        return index < positional.size() ? parse(positional.get(index)) : fallback;
    }

    /** Named argument {@code key} as a number, or {@code fallback} when absent. */
    double number(String key, double fallback) {
        String value = named.get(key);
        return value == null ? fallback : parse(value);
    }

    private double parse(String text) {
        try {
            return Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("<" + type + ":" + String.join(":", positional) + "> has '" + text
                    + "' where a number belongs", e);
        }
    }
}
