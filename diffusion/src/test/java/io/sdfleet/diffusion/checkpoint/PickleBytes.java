package io.sdfleet.diffusion.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Test-side pickle writer: emits the protocol-2 opcodes torch.save uses, one call per opcode. */
final class PickleBytes {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleBytes proto() {
        out.write(0x80);
        out.write(2);
        return this;
    }

    PickleBytes op(char opcode) {
        out.write(opcode);
        return this;
    }

    PickleBytes opByte(int opcode) {
        out.write(opcode);
        return this;
    }

    PickleBytes mark() {
        return op('(');
    }

    PickleBytes emptyDict() {
        return op('}');
    }

    PickleBytes emptyTuple() {
        return op(')');
    }

    PickleBytes tuple() {
        return op('t');
    }

    PickleBytes reduce() {
        return op('R');
    }

    PickleBytes setItems() {
        return op('u');
    }

    PickleBytes stop() {
        return op('.');
    }

    PickleBytes newFalse() {
        return opByte(0x89);
    }

    PickleBytes none() {
        return op('N');
    }

    PickleBytes binPersId() {
        return op('Q');
    }

    PickleBytes global(String module, String name) {
        op('c');
        byte[] text = (module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(text);
        return this;
    }

    PickleBytes string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        int32(b.length);
        out.writeBytes(b);
        return this;
    }

    /** BININT1 / BININT2 / BININT, as pickle picks the shortest. */
    PickleBytes integer(long v) {
        if (v >= 0 && v < 256) {
            op('K');
            out.write((int) v);
        } else if (v >= 0 && v < 65536) {
            op('M');
            out.write((int) (v & 0xFF));
            out.write((int) (v >>> 8));
        } else {
            op('J');
            int32((int) v);
        }
        return this;
    }

    PickleBytes ints(long... values) {
        mark();
        for (long v : values) {
            integer(v);
        }
        return tuple();
    }

    private void int32(int v) {
        for (int i = 0; i < 4; i++) {
            out.write((v >>> (8 * i)) & 0xFF);
        }
    }

    PickleBytes raw(int... values) {
        for (int v : values) {
            out.write(v);
        }
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
