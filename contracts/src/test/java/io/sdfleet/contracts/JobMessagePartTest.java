package io.sdfleet.contracts;

import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A worker that holds fewer images than a job's batch runs it in parts; each part is the same images. */
class JobMessagePartTest {

    private static final GenerationParameters P = new GenerationParameters(new Prompt("x", "", 1),
            new ImageSize(64, 64), new Batch(5, 1), Noise.of(10), new Sampling("Euler", "Automatic", 1, 7));

    @Test
    void aPartKeepsItsImagesSeedsAndIndexes() {
        JobMessage job = new JobMessage("r-5", "r", "ann", 5, List.of(15L, 16L, 17L, 18L, 19L), P, 2);
        JobMessage part = job.part(2, 2);
        assertThat(part.jobId()).isEqualTo("r-5");
        assertThat(part.firstImageIndex()).isEqualTo(7);
        assertThat(part.seeds()).containsExactly(17L, 18L);
        assertThat(part.parameters()).isEqualTo(P);
        assertThat(part.priority()).isEqualTo(2);
        assertThat(job.part(4, 1).seeds()).containsExactly(19L);
        assertThatThrownBy(() -> job.part(4, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
