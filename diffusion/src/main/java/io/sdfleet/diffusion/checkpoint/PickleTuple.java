package io.sdfleet.diffusion.checkpoint;

import java.util.List;

/** A Python tuple read from a pickle (kept apart from lists so argument tuples read as such). */
record PickleTuple(List<Object> items) {

    Object get(int i) {
        return items.get(i);
    }

    int size() {
        return items.size();
    }
}
