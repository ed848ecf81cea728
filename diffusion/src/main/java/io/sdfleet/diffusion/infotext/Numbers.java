package io.sdfleet.diffusion.infotext;

import java.math.BigDecimal;

/** Number formatting for infotexts: 7 rather than 7.0, 7.5 as is. */
final class Numbers {

    private Numbers() {
    }

    static String compact(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return String.valueOf((long) value);
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
