package io.sdfleet.diffusion.sdxl;

import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.model.Conditioning;
import io.sdfleet.diffusion.model.ConditioningSchedule;
import io.sdfleet.diffusion.prompt.PromptSchedule;

import java.util.ArrayList;
import java.util.List;

/**
 * One prompt's SDXL conditioning over a run: prompt editing and alternation give one text per range of steps
 * ({@link PromptSchedule}), each encoded once by {@link SdxlConditioner#encode}, the empty-negative rule applying
 * per text as A1111 applies it per scheduled text.
 */
public final class ScheduledConditioning implements ConditioningSchedule, AutoCloseable {

    private final List<PromptSchedule.Entry> schedule;
    private final List<Conditioning> conditionings;

    private ScheduledConditioning(List<PromptSchedule.Entry> schedule, List<Conditioning> conditionings) {
        this.schedule = List.copyOf(schedule);
        this.conditionings = List.copyOf(conditionings);
    }

    public static ScheduledConditioning encode(SdxlConditioner conditioner, NDManager manager, String prompt,
                                               int steps, boolean negative, SdxlSize size) {
        List<PromptSchedule.Entry> schedule = PromptSchedule.of(prompt, steps);
        List<Conditioning> conditionings = new ArrayList<>();
        for (PromptSchedule.Entry entry : schedule) {
            conditionings.add(conditioner.encode(manager, entry.prompt(), negative, size));
        }
        return new ScheduledConditioning(schedule, conditionings);
    }

    /** A1111's {@code reconstruct_cond_batch} ({@link PromptSchedule#indexAt}). */
    @Override
    public Conditioning at(int call) {
        return conditionings.get(PromptSchedule.indexAt(schedule, call));
    }

    /** The distinct texts, in step order. */
    public List<PromptSchedule.Entry> schedule() {
        return schedule;
    }

    @Override
    public void close() {
        conditionings.forEach(Conditioning::close);
    }
}
