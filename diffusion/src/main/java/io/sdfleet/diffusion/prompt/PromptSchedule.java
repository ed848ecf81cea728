package io.sdfleet.diffusion.prompt;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A1111's prompt editing and alternation ({@code get_learned_conditioning_prompt_schedules}): {@code [a:b:N]} reads a
 * until step N and b after, {@code [a:N]} adds a after step N, {@code [a::N]} removes it; N with a decimal point is a
 * fraction of the steps. {@code [a|b]} alternates every step. The result lists (last step, prompt text) pairs.
 *
 * <p>A1111 parses with a lark grammar; this reads the same grammar as a PEG, filled in from the end of the prompt
 * (see {@link Parser}): emphasis brackets are kept as text, and at the top level a bracket that opens nothing valid
 * is an ordinary character.
 */
public final class PromptSchedule {

    /** The text to encode up to and including {@code endStep}. */
    public record Entry(int endStep, String prompt) {
    }

    private static final String SPECIAL = "[]():|";
    private static final Pattern NUMBER = Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");

    private PromptSchedule() {
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
        collect(top, steps, intOffset, floatOffset, boundaries);
        List<Entry> out = new ArrayList<>();
        for (int step : boundaries) {
            out.add(new Entry(step, render(top, step)));
        }
        return out;
    }

    /** The prompt text in force at 1-based {@code step}, given a schedule. */
    public static String at(List<Entry> schedule, int step) {
        return schedule.get(indexAt(schedule, step)).prompt();
    }

    /**
     * A1111's {@code reconstruct_cond_batch}: the index of the first entry whose end step is ≥ the 0-based step, the
     * last entry past the end.
     */
    public static int indexAt(List<Entry> schedule, int step) {
        for (int i = 0; i < schedule.size(); i++) {
            if (step <= schedule.get(i).endStep()) {
                return i;
            }
        }
        return schedule.size() - 1;
    }

    private sealed interface Node permits Text, Sequence, Scheduled, Alternate {
    }

    /** s[start, end) of the prompt, or a bracket put back around emphasis. */
    private record Text(String s, int start, int end) implements Node {
        Text(String literal) {
            this(literal, 0, literal.length());
        }
    }

    /** Nodes one after another: {@code first} then {@code rest}; the empty sequence has neither. */
    private record Sequence(Node first, Sequence rest) implements Node {
        static final Sequence EMPTY = new Sequence(null, null);

        static Sequence of(Node... nodes) {
            Sequence out = EMPTY;
            for (int i = nodes.length - 1; i >= 0; i--) {
                out = new Sequence(nodes[i], out);
            }
            return out;
        }

        boolean isEmpty() {
            return first == null;
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

        void collect(int steps, int intOffset, double floatOffset, TreeSet<Integer> boundaries) {
            double v = Double.parseDouble(number);
            v = number.contains(".") ? (v - floatOffset) * steps : v - intOffset;
            when = Math.min(steps, (int) v); // Python's int() truncates toward zero
            if (when >= 1) {
                boundaries.add(when);
            }
        }
    }

    private record Alternate(List<Sequence> options) implements Node {
    }

    /** Sets every schedule's step and adds the steps where the text changes; a walk, not a recursion. */
    private static void collect(List<Node> top, int steps, int intOffset, double floatOffset,
                                TreeSet<Integer> boundaries) {
        Deque<Node> todo = new ArrayDeque<>(top);
        while (!todo.isEmpty()) {
            switch (todo.pop()) {
                case Text t -> {
                }
                case Sequence seq -> {
                    if (!seq.isEmpty()) {
                        todo.push(seq.rest());
                        todo.push(seq.first());
                    }
                }
                case Scheduled sch -> {
                    sch.collect(steps, intOffset, floatOffset, boundaries);
                    if (sch.before != null) {
                        todo.push(sch.before);
                    }
                    todo.push(sch.after);
                }
                case Alternate alt -> {
                    for (int st = 1; st <= steps; st++) {
                        boundaries.add(st);
                    }
                    alt.options().forEach(todo::push);
                }
            }
        }
    }

    /** The text at {@code step}; a walk with its own stack, as nesting can be as deep as the prompt is long. */
    private static String render(List<Node> top, int step) {
        StringBuilder out = new StringBuilder();
        Deque<Node> todo = new ArrayDeque<>();
        for (int i = top.size() - 1; i >= 0; i--) {
            todo.push(top.get(i));
        }
        while (!todo.isEmpty()) {
            switch (todo.pop()) {
                case Text t -> out.append(t.s(), t.start(), t.end());
                case Sequence seq -> {
                    if (!seq.isEmpty()) {
                        todo.push(seq.rest());
                        todo.push(seq.first());
                    }
                }
                case Scheduled sch -> {
                    if (step > sch.when) {
                        todo.push(sch.after);
                    } else if (sch.before != null) {
                        todo.push(sch.before);
                    }
                }
                case Alternate alt -> todo.push(alt.options().get((step - 1) % alt.options().size()));
            }
        }
        return out.toString();
    }

    /**
     * The grammar as a PEG (ordered choice, greedy repetition): every rule's result depends only on where it
     * starts, so the parser fills a table from the end of the prompt back to its start; each rule reads the results
     * of the rules it contains, which start further right, from the table. No recursion, however deep the
     * brackets nest, and each position is parsed once (the old recursive descent re-parsed a bracket's content for
     * each of its four alternatives, so nested brackets cost 4^depth).
     */
    private static final class Parser {
        private final String s;
        /** promptAt[p]: rule "prompt" at p ((emphasized | scheduled | alternate | plain)*, possibly empty). */
        private final Sequence[] promptAt;
        /** promptEnd[p]: where that prompt ends. */
        private final int[] promptEnd;

        Parser(String s) {
            this.s = s;
            int n = s.length();
            promptAt = new Sequence[n + 1];
            promptEnd = new int[n + 1];
            int[] plainEnd = new int[n + 1];
            promptAt[n] = Sequence.EMPTY;
            promptEnd[n] = n;
            plainEnd[n] = n;
            for (int p = n - 1; p >= 0; p--) {
                plainEnd[p] = plainEnd(p, plainEnd);
                Node element;
                int end;
                char c = s.charAt(p);
                if (c == '[') {
                    element = square(p);
                    end = element == null ? p : squareEnd;
                } else if (c == '(') {
                    element = round(p);
                    end = element == null ? p : roundEnd;
                } else {
                    end = plainEnd[p];
                    element = end > p ? new Text(s, p, end) : null;
                }
                promptAt[p] = element == null ? Sequence.EMPTY : new Sequence(element, promptAt[end]);
                promptEnd[p] = element == null ? p : promptEnd[end];
            }
        }

        /** start: (prompt | stray bracket characters)*; null when a character fits neither (e.g. a stray '|'). */
        List<Node> start() {
            List<Node> out = new ArrayList<>();
            int pos = 0;
            while (pos < s.length()) {
                if (!promptAt[pos].isEmpty()) {
                    out.add(promptAt[pos]);
                    pos = promptEnd[pos];
                    continue;
                }
                char c = s.charAt(pos);
                if ("[]():".indexOf(c) < 0) {
                    return null; // lark fails, A1111 keeps the prompt as it is
                }
                out.add(new Text(s, pos, pos + 1));
                pos++;
            }
            return out;
        }

        /** plain: ([^\\\[\]():|] | \\.)+ — escapes stay as written (the emphasis parser reads them later). */
        private int plainEnd(int p, int[] plainEnd) {
            char c = s.charAt(p);
            if (c == '\\') {
                return p + 1 < s.length() ? plainEnd[p + 1 + 1] : p;
            }
            return SPECIAL.indexOf(c) < 0 ? plainEnd[p + 1] : p;
        }

        private int squareEnd;

        /**
         * "[" in order: scheduled with a before-part, scheduled with only an after-part, alternate, emphasis.
         * All four start with the prompt after the bracket.
         */
        private Node square(int open) {
            Sequence first = promptAt[open + 1];
            int a = promptEnd[open + 1];
            if (at(a, ':')) {
                // [before:after:N]
                int b = promptEnd[a + 1];
                if (at(b, ':') && scheduleNumber(b + 1)) {
                    return new Scheduled(first, promptAt[a + 1], number);
                }
                // [after:N]
                if (scheduleNumber(a + 1)) {
                    return new Scheduled(null, first, number);
                }
            }
            List<Sequence> options = new ArrayList<>();
            options.add(first);
            int x = a;
            while (at(x, '|')) {
                options.add(promptAt[x + 1]);
                x = promptEnd[x + 1];
            }
            if (options.size() > 1 && at(x, ']')) {
                squareEnd = x + 1;
                return new Alternate(options);
            }
            if (at(a, ']')) {
                squareEnd = a + 1;
                return Sequence.of(new Text("["), first, new Text("]"));
            }
            return null;
        }

        private String number;

        /** [ws] NUMBER [ws] "]" at {@code p}: sets {@link #number} and {@link #squareEnd}. */
        private boolean scheduleNumber(int p) {
            int i = skipWhitespace(p);
            Matcher m = NUMBER.matcher(s).region(i, s.length()); // no repeated alternation: safe
            if (!m.lookingAt()) {
                return false;
            }
            int close = skipWhitespace(m.end());
            if (!at(close, ']')) {
                return false;
            }
            number = m.group();
            squareEnd = close + 1;
            return true;
        }

        private int roundEnd;

        /** "(" prompt ")" | "(" prompt ":" prompt ")" — kept as text for the emphasis parser. */
        private Node round(int open) {
            Sequence inner = promptAt[open + 1];
            int a = promptEnd[open + 1];
            if (at(a, ')')) {
                roundEnd = a + 1;
                return Sequence.of(new Text("("), inner, new Text(")"));
            }
            if (at(a, ':')) {
                int b = promptEnd[a + 1];
                if (at(b, ')')) {
                    roundEnd = b + 1;
                    return Sequence.of(new Text("("), inner, new Text(":"), promptAt[a + 1], new Text(")"));
                }
            }
            return null;
        }

        private boolean at(int p, char c) {
            return p < s.length() && s.charAt(p) == c;
        }

        private int skipWhitespace(int p) {
            while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
                p++;
            }
            return p;
        }
    }
}
