package io.sdfleet.diffusion.offload;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.nn.Parameter;
import io.sdfleet.diffusion.runtime.Torch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The offloader's bookkeeping on three made-up units: who owns which weight, who is resident when. */
class OffloaderTest {

    @Test
    void placesTheEnteredUnitEvictsTheUnpinnedOtherAndRefusesOffloadedWeights() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            Parameter text = new Parameter("text.w", m.ones(new Shape(2)));
            Parameter unetRest = new Parameter("unet.time.w", m.ones(new Shape(2)));
            Parameter block = new Parameter("unet.block.0.w", m.ones(new Shape(2)));
            Parameter elsewhere = new Parameter("other.w", m.ones(new Shape(2)));
            OffloadUnit textUnit = new OffloadUnit("text.", false);
            OffloadUnit unitRest = new OffloadUnit("unet.", true);
            OffloadUnit blockUnit = new OffloadUnit("unet.block.0.", false);
            Offloader offloader = new Offloader(Device.cpu(), List.of(textUnit, unitRest, blockUnit),
                    Map.of("text.w", text, "unet.time.w", unetRest, "unet.block.0.w", block, "other.w", elsewhere));
            List<Offloader.Move> moves = new ArrayList<>();
            offloader.onMove(moves::add);

            assertThatThrownBy(text::get).isInstanceOf(IllegalStateException.class).hasMessageContaining("text.w");
            assertThat(elsewhere.get()).isNotNull(); // in no unit: never moved
            offloader.enter("text.");
            assertThat(text.get()).isNotNull();
            offloader.enter("unet.");
            offloader.enter("unet.block.0.");
            assertThat(offloader.resident()).containsExactly(unitRest, blockUnit);
            assertThatThrownBy(text::get).isInstanceOf(IllegalStateException.class);
            assertThat(unetRest.get()).isNotNull();
            assertThat(block.get()).isNotNull();
            offloader.enter("text.");
            assertThat(offloader.resident()).containsExactly(unitRest, textUnit); // the pinned rest stays
            assertThat(moves).containsExactly(new Offloader.Move(textUnit, true), new Offloader.Move(textUnit, false),
                    new Offloader.Move(unitRest, true), new Offloader.Move(blockUnit, true),
                    new Offloader.Move(blockUnit, false), new Offloader.Move(textUnit, true));
        }
    }
}
