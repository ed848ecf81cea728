package io.sdfleet.diffusion.checkpoint;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestrictedUnpicklerTest {

    private static Object load(byte[] pickle) {
        return RestrictedUnpickler.load(ByteBuffer.wrap(pickle), pid -> {
            throw new AssertionError("no persistent ids here");
        }, "test.pkl");
    }

    @Test
    void readsTheScalarOpcodes() {
        // [1.5 (BINFLOAT, big-endian), -2 (LONG1), 2^70 (LONG1), "é" (SHORT_BINUNICODE), True, None, -7 (BININT)]
        PickleBytes p = new PickleBytes().proto().op(']').mark()
                .op('G').raw(0x3f, 0xf8, 0, 0, 0, 0, 0, 0)
                .opByte(0x8a).raw(1, 0xfe)
                .opByte(0x8a).raw(9, 0, 0, 0, 0, 0, 0, 0, 0, 0x40)
                .opByte(0x8c).raw(2, 0xc3, 0xa9)
                .opByte(0x88).none()
                .op('J').raw(0xf9, 0xff, 0xff, 0xff)
                .op('e').stop();
        assertThat(load(p.bytes())).isEqualTo(Arrays.asList(
                1.5, -2L, BigInteger.TWO.pow(70), "é", true, null, -7L));
    }

    @Test
    void memoDupPopAndOldStyleContainersWork() {
        // d = {"k": [x, x]} where x = "v" is memoized with LONG_BINPUT and fetched with LONG_BINGET
        PickleBytes p = new PickleBytes().proto().mark().string("k").mark().op('l')
                .string("v").op('r').raw(7, 0, 0, 0).op('a')
                .op('j').raw(7, 0, 0, 0).op('a')
                .op('2').op('0')             // DUP then POP leaves the list as it was
                .op('d').stop();
        assertThat(load(p.bytes())).isEqualTo(Map.of("k", List.of("v", "v")));
    }

    @Test
    void refusesUnknownOpcodesAndTruncatedInput() {
        assertThatThrownBy(() -> load(new PickleBytes().proto().op('i').stop().bytes()))
                .hasMessageContaining("opcode 0x69");
        assertThatThrownBy(() -> load(new PickleBytes().proto().string("never stops").bytes()))
                .hasMessageContaining("STOP");
    }

    @Test
    void aReducedAllowedGlobalIsInterpretedNotCalled() {
        // numpy.core.multiarray.scalar(...) becomes inert data
        Object value = load(new PickleBytes().proto().global("numpy.core.multiarray", "scalar")
                .string("f8").opByte(0x85).reduce().stop().bytes());
        assertThat(value).isInstanceOf(PickledObject.class);
        assertThat(((PickledObject) value).type().qualifiedName()).isEqualTo("numpy.core.multiarray.scalar");
    }
}
