package io.sdfleet.diffusion.checkpoint;

/**
 * A {@code module.name} reference met in a pickle (opcode GLOBAL). The restricted unpickler never imports or
 * calls it: it only compares it with an allow-list and, for the few torch functions that rebuild tensors,
 * interprets their arguments itself.
 */
record PickleGlobal(String module, String name) {

    String qualifiedName() {
        return module + "." + name;
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
