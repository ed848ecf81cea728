package io.sdfleet.diffusion.checkpoint;

import java.util.List;

/**
 * An allowed but inert object from a pickle (a numpy scalar, a Lightning callback): its constructor and
 * arguments are kept as data, nothing is called. Checkpoint metadata such as {@code epoch} may end up here.
 */
record PickledObject(PickleGlobal type, List<Object> arguments, Object state) {
}
