package io.sdfleet.diffusion.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The regex/recursive-descent version this project used before the scanners (kept as a test oracle: the
 * scanners must agree with it on every short prompt). Recursion per character made it overflow on long prompts.
 *
 * <p>
 * A1111's prompt editing and alternation ({@code get_learned_conditioning_prompt_schedules}): {@code [a:b:N]} reads a
 * until step N and b after, {@code [a:N]} adds a after step N, {@code [a::N]} removes it; N with a decimal point is a
 * fraction of the steps. {@code [a|b]} alternates every step. The result lists (last step, prompt text) pairs.
 *
 * <p>A1111 parses with a lark grammar; this is a backtracking descent over the same grammar: emphasis brackets are
 * kept as text, and at the top level a bracket that opens nothing valid is an ordinary character.
 */
final class RecursivePromptSchedule {

    /** The text to encode up to and including {@code endStep}. */
    public record Entry(int endStep, String prompt) {
    }

    private static final String SPECIAL = "[]():|";
    private static final Pattern NUMBER = Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");

    private RecursivePromptSchedule() {
    }

    public static List<Entry> of(String prompt, int steps) {
        return of(prompt, steps, null);
    }

    /** @param hiresSteps the second pass's steps when scheduling for hires fix (then N counts from the first pass's end) */
    public static List<Entry> of(String prompt, int baseSteps, Integer hiresSteps) {
        int steps = hiresSteps == null ? baseSteps : hiresSteps;
        int intOffset = hiresSteps == null ? 0 : baseSteps;
        double floatOffset = hiresSteps == null ? 0 : 1.0;
        Parser parser = new Parser(prompt);
        List<Node> top = parser.start();
        if (top == null) {
            return List.of(new Entry(steps, prompt));
        }
        TreeSet<Integer> boundaries = new TreeSet<>();
        boundaries.add(steps);
        for (Node n : top) {
            n.collect(steps, intOffset, floatOffset, boundaries);
        }
        List<Entry> out = new ArrayList<>();
        for (int step : boundaries) {
            StringBuilder text = new StringBuilder();
            top.forEach(n -> n.render(step, text));
            out.add(new Entry(step, text.toString()));
        }
        return out;
    }

    /** The prompt text in force at 1-based {@code step}, given a schedule. */
    public static String at(List<Entry> schedule, int step) {
        for (Entry e : schedule) {
            if (step <= e.endStep()) {
                return e.prompt();
            }
        }
        return schedule.get(schedule.size() - 1).prompt();
    }

    private sealed interface Node permits Text, Sequence, Scheduled, Alternate {
        void render(int step, StringBuilder out);

        default void collect(int steps, int intOffset, double floatOffset, TreeSet<Integer> boundaries) {
        }
    }

    private record Text(String text) implements Node {
        public void render(int step, StringBuilder out) {
            out.append(text);
        }
    }

    private record Sequence(List<Node> parts) implements Node {
        public void render(int step, StringBuilder out) {
            parts.forEach(p -> p.render(step, out));
        }

        public void collect(int steps, int intOffset, double floatOffset, TreeSet<Integer> boundaries) {
            parts.forEach(p -> p.collect(steps, intOffset, floatOffset, boundaries));
        }
    }

    private static final class Scheduled implements Node {
        final Sequence before; // null when absent
        final Sequence after;
        final String number;
        int when;

        Scheduled(Sequence before, Sequence after, String number) {
            this.before = before;
            this.after = after;
            this.number = number;
        }

        public void render(int step, StringBuilder out) {
            if (step <= when) {
                if (before != null) {
                    before.render(step, out);
                }
            } else {
                after.render(step, out);
            }
        }

        public void collect(int steps, int intOffset, double floatOffset, TreeSet<Integer> boundaries) {
            double v = Double.parseDouble(number);
            v = number.contains(".") ? (v - floatOffset) * steps : v - intOffset;
            when = Math.min(steps, (int) v); // Python's int() truncates toward zero
            if (when >= 1) {
                boundaries.add(when);
            }
            if (before != null) {
                before.collect(steps, intOffset, floatOffset, boundaries);
            }
            after.collect(steps, intOffset, floatOffset, boundaries);
        }
    }

    private record Alternate(List<Sequence> options) implements Node {
        public void render(int step, StringBuilder out) {
            options.get((step - 1) % options.size()).render(step, out);
        }

        public void collect(int steps, int intOffset, double floatOffset, TreeSet<Integer> boundaries) {
            for (int s = 1; s <= steps; s++) {
                boundaries.add(s);
            }
            options.forEach(o -> o.collect(steps, intOffset, floatOffset, boundaries));
        }
    }

    /** Descent parser; every method returns null (position restored by the caller) when its rule does not match. */
    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        /** start: (prompt | stray bracket characters)* */
        List<Node> start() {
            List<Node> out = new ArrayList<>();
            while (pos < s.length()) {
                Sequence p = prompt();
                if (!p.parts().isEmpty()) {
                    out.add(p);
                    continue;
                }
                char c = s.charAt(pos);
                if ("[]():".indexOf(c) >= 0) {
                    out.add(new Text(String.valueOf(c)));
                    pos++;
                } else {
                    return null; // e.g. a stray '|': lark fails, A1111 keeps the prompt as it is
                }
            }
            return out;
        }

        /** prompt: (emphasized | scheduled | alternate | plain | whitespace)* — possibly empty. */
        Sequence prompt() {
            List<Node> parts = new ArrayList<>();
            while (pos < s.length()) {
                char c = s.charAt(pos);
                Node n = null;
                if (c == '[') {
                    n = square();
                } else if (c == '(') {
                    n = round();
                } else if (SPECIAL.indexOf(c) < 0) {
                    n = plain();
                }
                if (n == null) {
                    break;
                }
                parts.add(n);
            }
            return new Sequence(parts);
        }

        /** plain: ([^\\\[\]():|] | \\.)+ — escapes stay as written (the emphasis parser reads them later). */
        Node plain() {
            int start = pos;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == '\\' && pos + 1 < s.length()) {
                    pos += 2;
                } else if (SPECIAL.indexOf(c) < 0 && c != '\\') {
                    pos++;
                } else {
                    break;
                }
            }
            return pos > start ? new Text(s.substring(start, pos)) : null;
        }

        Node square() {
            int start = pos;
            for (Rule rule : new Rule[] {this::scheduledWithBefore, this::scheduledAfterOnly, this::alternate, this::emphasizedSquare}) {
                pos = start;
                Node n = rule.parse();
                if (n != null) {
                    return n;
                }
            }
            pos = start;
            return null;
        }

        private interface Rule {
            Node parse();
        }

        Node scheduledWithBefore() {
            pos++;
            Sequence before = prompt();
            if (!eat(':')) {
                return null;
            }
            return scheduledRest(before);
        }

        Node scheduledAfterOnly() {
            pos++;
            return scheduledRest(null);
        }

        /** prompt ":" [ws] NUMBER [ws] "]" */
        Node scheduledRest(Sequence before) {
            Sequence after = prompt();
            if (!eat(':')) {
                return null;
            }
            skipWhitespace();
            Matcher m = NUMBER.matcher(s).region(pos, s.length());
            if (!m.lookingAt()) {
                return null;
            }
            pos = m.end();
            skipWhitespace();
            return eat(']') ? new Scheduled(before, after, m.group()) : null;
        }

        Node alternate() {
            pos++;
            List<Sequence> options = new ArrayList<>();
            options.add(prompt());
            int bars = 0;
            while (eat('|')) {
                bars++;
                options.add(prompt());
            }
            return bars > 0 && eat(']') ? new Alternate(options) : null;
        }

        Node emphasizedSquare() {
            pos++;
            Sequence inner = prompt();
            return eat(']') ? new Sequence(List.of(new Text("["), inner, new Text("]"))) : null;
        }

        /** "(" prompt ")" | "(" prompt ":" prompt ")" — kept as text for the emphasis parser. */
        Node round() {
            int start = pos;
            pos++;
            Sequence inner = prompt();
            if (eat(')')) {
                return new Sequence(List.of(new Text("("), inner, new Text(")")));
            }
            if (eat(':')) {
                Sequence weight = prompt();
                if (eat(')')) {
                    return new Sequence(List.of(new Text("("), inner, new Text(":"), weight, new Text(")")));
                }
            }
            pos = start;
            return null;
        }

        private boolean eat(char c) {
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        private void skipWhitespace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }
    }
}
