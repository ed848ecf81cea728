package io.sdfleet.diffusion.cli;

import java.util.List;

/** The positional TEXT of the text-side commands. */
final class Prompts {

    private Prompts() {
    }

    /** Exactly one positional word (quote the prompt), named {@code what} in the error. */
    static String single(List<String> positional, String what) {
        if (positional.size() != 1) {
            throw new UsageException("expected one " + what + " argument (quote it), got " + positional.size());
        }
        return positional.get(0);
    }
}
