package io.sdfleet.diffusion.checkpoint;

import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads one pickle (protocols 2 to 4, the opcodes torch.save emits) into plain Java data: dicts become
 * {@code LinkedHashMap}, lists {@code ArrayList}, tuples {@link PickleTuple}, ints {@code Long}/{@code BigInteger}.
 * It is a data parser, not an interpreter: GLOBAL accepts only {@link TorchGlobals}' allow-list, and REDUCE/BUILD
 * only interpret those few callables, so a malicious checkpoint is refused by name and nothing is executed.
 */
final class RestrictedUnpickler {

    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    private final ByteBuffer in;
    private final Function<PickleTuple, Object> persistentLoad;
    private final String source;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private RestrictedUnpickler(ByteBuffer in, Function<PickleTuple, Object> persistentLoad, String source) {
        this.in = in.order(ByteOrder.LITTLE_ENDIAN);
        this.persistentLoad = persistentLoad;
        this.source = source;
    }

    /**
     * Reads one pickle from {@code in}'s position up to its STOP opcode, leaving the position just after it.
     * {@code persistentLoad} turns a persistent id (torch's storage descriptors) into a value.
     */
    static Object load(ByteBuffer in, Function<PickleTuple, Object> persistentLoad, String source) {
        try {
            return new RestrictedUnpickler(in, persistentLoad, source).run();
        } catch (BufferUnderflowException e) {
            throw new CheckpointException(source + ": the pickle ends before its STOP opcode", e);
        } catch (ClassCastException | IndexOutOfBoundsException e) {
            throw new CheckpointException(source + ": malformed pickle (" + e.getMessage() + ")", e);
        }
    }

    private Object run() {
        while (true) {
            int at = in.position();
            int op = in.get() & 0xFF;
            switch (op) {
                case 0x80 -> in.get();                                   // PROTO n
                case 0x95 -> in.getLong();                               // FRAME length (protocol 4)
                case '.' -> {                                            // STOP
                    return pop();
                }
                case '(' -> marks.add(stack.size());                     // MARK
                case '}' -> push(new LinkedHashMap<>());                 // EMPTY_DICT
                case ']' -> push(new ArrayList<>());                     // EMPTY_LIST
                case ')' -> push(new PickleTuple(List.of()));            // EMPTY_TUPLE
                case 0x8f -> push(new ArrayList<>());                    // EMPTY_SET, kept as a list
                case 'N' -> push(null);                                  // NONE
                case 0x88 -> push(Boolean.TRUE);                         // NEWTRUE
                case 0x89 -> push(Boolean.FALSE);                        // NEWFALSE
                case 'J' -> push((long) in.getInt());                    // BININT
                case 'K' -> push((long) (in.get() & 0xFF));              // BININT1
                case 'M' -> push((long) (in.getShort() & 0xFFFF));       // BININT2
                case 0x8a -> push(readLong(in.get() & 0xFF));            // LONG1
                case 0x8b -> push(readLong(length(in.getInt())));        // LONG4
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT: big-endian
                case 'X' -> push(text(length(in.getInt())));             // BINUNICODE
                case 0x8c -> push(text(in.get() & 0xFF));                // SHORT_BINUNICODE
                case 0x8d -> push(text(length(in.getLong())));           // BINUNICODE8
                case 'T' -> push(text(length(in.getInt())));             // BINSTRING (latin-1 in py2; ascii here)
                case 'U' -> push(text(in.get() & 0xFF));                 // SHORT_BINSTRING
                case 'B' -> push(bytes(length(in.getInt())));            // BINBYTES
                case 'C' -> push(bytes(in.get() & 0xFF));                // SHORT_BINBYTES
                case 'q' -> memo.put((long) (in.get() & 0xFF), peek());  // BINPUT
                case 'r' -> memo.put(in.getInt() & 0xFFFFFFFFL, peek()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek());       // MEMOIZE
                case 'h' -> push(memoGet(in.get() & 0xFF));              // BINGET
                case 'j' -> push(memoGet(in.getInt() & 0xFFFFFFFFL));    // LONG_BINGET
                case '0' -> pop();                                       // POP
                case '1' -> popMark();                                   // POP_MARK
                case '2' -> push(peek());                                // DUP
                case 't' -> push(new PickleTuple(popMark()));            // TUPLE
                case 0x85 -> push(new PickleTuple(Collections.singletonList(pop()))); // TUPLE1
                case 0x86 -> tupleOf(2);                                 // TUPLE2
                case 0x87 -> tupleOf(3);                                 // TUPLE3
                case 'l' -> push(new ArrayList<>(popMark()));            // LIST
                case 'd' -> push(dictOf(popMark()));                     // DICT
                case 'a' -> {                                            // APPEND
                    Object value = pop();
                    list(peek()).add(value);
                }
                case 'e' -> {                                            // APPENDS
                    List<Object> values = popMark();
                    list(peek()).addAll(values);
                }
                case 0x90 -> {                                           // ADDITEMS (to a set)
                    List<Object> values = popMark();
                    list(peek()).addAll(values);
                }
                case 's' -> {                                            // SETITEM
                    Object value = pop();
                    Object key = pop();
                    dict(peek()).put(key, value);
                }
                case 'u' -> {                                            // SETITEMS
                    List<Object> items = popMark();
                    Map<Object, Object> dict = dict(peek());
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        dict.put(items.get(i), items.get(i + 1));
                    }
                }
                case 'c' -> push(TorchGlobals.resolve(line(), line(), source)); // GLOBAL module\nname\n
                case 0x93 -> {                                           // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    push(TorchGlobals.resolve(String.valueOf(module), String.valueOf(name), source));
                }
                case 'Q' -> {                                            // BINPERSID
                    Object pid = pop();
                    if (!(pid instanceof PickleTuple t)) {
                        throw new CheckpointException(source + ": unexpected persistent id " + pid);
                    }
                    push(persistentLoad.apply(t));
                }
                case 'R' -> {                                            // REDUCE
                    Object args = pop();
                    Object callable = pop();
                    push(TorchGlobals.call(global(callable, "call"), tuple(args), source));
                }
                case 0x81 -> {                                           // NEWOBJ cls.__new__(cls, *args)
                    Object args = pop();
                    PickleGlobal cls = global(pop(), "instantiate");
                    push(TorchGlobals.call(cls, tuple(args), source));
                }
                case 'b' -> {                                            // BUILD: set an object's state
                    Object state = pop();
                    Object target = pop();
                    // An OrderedDict's state is its _metadata, a Parameter's its hooks: neither matters here.
                    push(target instanceof PickledObject o ? new PickledObject(o.type(), o.arguments(), state) : target);
                }
                default -> throw new CheckpointException(String.format(
                        "%s: pickle opcode 0x%02x ('%c') at byte %d is not supported by the checkpoint reader",
                        source, op, (char) op, at));
            }
        }
    }

    private void push(Object value) {
        stack.add(value);
    }

    private Object pop() {
        if (stack.isEmpty() || (!marks.isEmpty() && marks.getLast() == stack.size())) {
            throw new CheckpointException(source + ": malformed pickle (stack underflow)");
        }
        return stack.removeLast();
    }

    private Object peek() {
        return stack.getLast();
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw new CheckpointException(source + ": malformed pickle (no MARK)");
        }
        int from = marks.removeLast();
        List<Object> items = new ArrayList<>(stack.subList(from, stack.size()));
        stack.subList(from, stack.size()).clear();
        return items;
    }

    private void tupleOf(int n) {
        List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
        stack.subList(stack.size() - n, stack.size()).clear();
        push(new PickleTuple(Collections.unmodifiableList(items)));
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw new CheckpointException(source + ": malformed pickle (memo " + index + " is empty)");
        }
        return memo.get(index);
    }

    private BigInteger readLongBig(int n) {
        byte[] little = new byte[n];
        in.get(little);
        byte[] big = new byte[n];
        for (int i = 0; i < n; i++) {
            big[i] = little[n - 1 - i];
        }
        return n == 0 ? BigInteger.ZERO : new BigInteger(big); // two's complement, as pickle stores it
    }

    /** LONG1/LONG4: a little-endian two's complement integer; a Long when it fits. */
    private Object readLong(int n) {
        BigInteger value = readLongBig(n);
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private String text(int n) {
        byte[] b = new byte[n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private String line() {
        StringBuilder s = new StringBuilder();
        for (byte b = in.get(); b != '\n'; b = in.get()) {
            s.append((char) (b & 0xFF));
            if (s.length() > 1000) {
                throw new CheckpointException(source + ": malformed pickle (GLOBAL name too long)");
            }
        }
        return s.toString();
    }

    private int length(long n) {
        if (n < 0 || n > in.remaining()) {
            throw new CheckpointException(source + ": malformed pickle (length " + n + " past the end)");
        }
        return (int) n;
    }

    private PickleGlobal global(Object value, String what) {
        if (value instanceof PickleGlobal g) {
            return g;
        }
        throw new CheckpointException(source + ": the pickle tries to " + what + " a non-global " + value);
    }

    private PickleTuple tuple(Object value) {
        if (value instanceof PickleTuple t) {
            return t;
        }
        throw new CheckpointException(source + ": expected an argument tuple, got " + value);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object value) {
        if (value instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new CheckpointException(source + ": cannot append to " + value);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object value) {
        if (value instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw new CheckpointException(source + ": cannot set an item on " + value);
    }

    private static Map<Object, Object> dictOf(List<Object> items) {
        Map<Object, Object> dict = new LinkedHashMap<>();
        for (int i = 0; i + 1 < items.size(); i += 2) {
            dict.put(items.get(i), items.get(i + 1));
        }
        return dict;
    }
}
