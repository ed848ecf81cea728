package io.sdfleet.diffusion.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code --name value} options, {@code --flag} switches and positional words of one sub-command. Every option a
 * command reads is checked against what the user gave, so a misspelt option is an error rather than ignored.
 */
public final class Arguments {

    private final Map<String, String> options = new LinkedHashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final List<String> positional = new ArrayList<>();
    private final Set<String> read = new HashSet<>();

    private Arguments() {
    }

    /**
     * @param switches names (without dashes) that take no value
     */
    public static Arguments parse(List<String> args, Set<String> switches) {
        Arguments a = new Arguments();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("--") && arg.length() > 2) {
                String name = arg.substring(2);
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    a.options.put(name.substring(0, eq), name.substring(eq + 1));
                } else if (switches.contains(name)) {
                    a.flags.add(name);
                } else {
                    if (i + 1 >= args.size()) {
                        throw new UsageException("option --" + name + " needs a value");
                    }
                    a.options.put(name, args.get(++i));
                }
            } else {
                a.positional.add(arg);
            }
        }
        return a;
    }

    public String string(String name, String fallback) {
        read.add(name);
        return options.getOrDefault(name, fallback);
    }

    public String required(String name) {
        read.add(name);
        String v = options.get(name);
        if (v == null || v.isBlank()) {
            throw new UsageException("missing required option --" + name);
        }
        return v;
    }

    public boolean flag(String name) {
        read.add(name);
        return flags.contains(name);
    }

    public int integer(String name, int fallback) {
        return number(name, fallback, Integer::parseInt, "an integer");
    }

    public long longValue(String name, long fallback) {
        return number(name, fallback, Long::parseLong, "an integer");
    }

    public double decimal(String name, double fallback) {
        return number(name, fallback, Double::parseDouble, "a number");
    }

    private <T> T number(String name, T fallback, Function<String, T> parser, String what) {
        String v = string(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return parser.apply(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be " + what + ", got '" + v + "'");
        }
    }

    /** An input path that must exist. */
    public Path existingPath(String name) {
        String v = string(name, null);
        if (v == null) {
            return null;
        }
        Path p = Path.of(v);
        if (!Files.exists(p)) {
            throw new UsageException("--" + name + ": no such file or folder: " + v);
        }
        return p;
    }

    public List<String> positional() {
        read.add("");
        return positional;
    }

    /** Fails on any option or switch the command never asked for. */
    public void rejectUnknown() {
        for (String name : options.keySet()) {
            if (!read.contains(name)) {
                throw new UsageException("unknown option --" + name);
            }
        }
        for (String name : flags) {
            if (!read.contains(name)) {
                throw new UsageException("unknown option --" + name);
            }
        }
    }
}
