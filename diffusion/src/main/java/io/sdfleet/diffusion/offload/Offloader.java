package io.sdfleet.diffusion.offload;

import ai.djl.Device;
import io.sdfleet.diffusion.nn.Parameter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Keeps at most one unpinned unit's weights on the compute device, as A1111's {@code send_me_to_gpu} hook does:
 * when a part runs, its unit comes to the device and the unit that was there goes back (lazily, so a UNet called
 * every step moves once per generation in MEDVRAM). Everything starts offloaded.
 *
 * <p>On a CPU-only machine placing and offloading a parameter copies nothing, but the bookkeeping is the same: an
 * offloaded parameter refuses to be used ({@link Parameter#get()}), so a part that runs without announcing itself
 * fails instead of silently reading weights that would, on a GPU, be on the wrong device.
 */
public final class Offloader implements Placement {

    /** A unit arriving on or leaving the compute device. */
    public record Move(OffloadUnit unit, boolean arriving) {
    }

    private final Device compute;
    private final List<OffloadUnit> units;
    private final Map<OffloadUnit, List<Parameter>> parametersByUnit = new HashMap<>();
    private final List<OffloadUnit> resident = new ArrayList<>();
    private final List<Consumer<Move>> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param parameters every parameter by full key; each belongs to the unit with the longest matching prefix
     *                   (one outside every unit is left where it is)
     */
    public Offloader(Device compute, List<OffloadUnit> units, Map<String, Parameter> parameters) {
        this.compute = compute;
        this.units = units.stream().sorted(Comparator.comparingInt((OffloadUnit u) -> u.prefix().length()).reversed())
                .toList();
        for (OffloadUnit unit : units) {
            parametersByUnit.put(unit, new ArrayList<>());
        }
        parameters.forEach((key, parameter) -> owner(key).ifPresent(unit -> {
            parametersByUnit.get(unit).add(parameter);
            parameter.offload();
        }));
    }

    /** The unit with the longest prefix of {@code key}. */
    private Optional<OffloadUnit> owner(String key) {
        return units.stream().filter(u -> key.startsWith(u.prefix())).findFirst();
    }

    @Override
    public synchronized void enter(String part) {
        Optional<OffloadUnit> unit = owner(part);
        if (unit.isEmpty() || resident.contains(unit.get())) {
            return;
        }
        for (OffloadUnit other : List.copyOf(resident)) {
            if (!other.pinned()) {
                parametersByUnit.get(other).forEach(Parameter::offload);
                resident.remove(other);
                listeners.forEach(l -> l.accept(new Move(other, false)));
            }
        }
        parametersByUnit.get(unit.get()).forEach(p -> p.placeOn(compute));
        resident.add(unit.get());
        listeners.forEach(l -> l.accept(new Move(unit.get(), true)));
    }

    /** {@code listener} is told of every move from now on (tests, logs). */
    public void onMove(Consumer<Move> listener) {
        listeners.add(listener);
    }

    /** The units on the compute device now. */
    public synchronized List<OffloadUnit> resident() {
        return List.copyOf(resident);
    }
}
