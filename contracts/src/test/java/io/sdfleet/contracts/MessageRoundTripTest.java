package io.sdfleet.contracts;

import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Img2Img;
import io.sdfleet.request.InpaintingFill;
import io.sdfleet.request.MaskOptions;
import io.sdfleet.request.ModelChoice;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.ResizeMode;
import io.sdfleet.request.RngSource;
import io.sdfleet.request.SamplerExtras;
import io.sdfleet.request.Sampling;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every message, written as the services write it (Jackson 3's mapper, records without annotations), reads back as
 * the same message. This replaced hand-kept JSON schemas: the records are the one description of the wire format.
 */
class MessageRoundTripTest {

    // as Spring Boot configures it: ISO dates, unknown properties ignored
    private static final JsonMapper JSON = JsonMapper.builder().disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    static final GenerationParameters PARAMS = new GenerationParameters(new Prompt("a cat", "", 1),
            new ImageSize(512, 512), new Batch(2, 3), Noise.of(42), new Sampling("Euler a", "Automatic", 20, 7.0));
    private static final HiresFix HIRES = new HiresFix(2.0, 0, 0, "Latent", 0, 0.7, null, null, null, null);
    private static final Img2Img IMG2IMG = new Img2Img(List.of("iVBORw0KGgo="), 0.75, ResizeMode.CROP_AND_RESIZE,
            new MaskOptions("iVBORw0KGgo=", 4, InpaintingFill.LATENT_NOISE, false, 32, true), 1.5);
    private static final GenerationParameters EVERYTHING = new GenerationParameters(new Prompt("a cat", "dog", 2),
            new ImageSize(512, 512), new Batch(1, 1), new Noise(42, 9, 0.5, 256, 256, RngSource.NV, 31337),
            new Sampling("Euler", "Karras", 20, 7.0, new SamplerExtras(0.5, 1, 0, 10.0, 1)), HIRES, IMG2IMG,
            new ModelChoice("v1-5", "vae-ft-mse"), true);

    private static final List<Object> SAMPLES = List.of(
            new GenerationRequested("r1", "alice", NOW, PARAMS),
            new GenerationRequested("r1", "alice", NOW, EVERYTHING, 5),
            new GenerationRequested("r1", "alice", NOW, PARAMS.withHires(HIRES)),
            new JobMessage(JobMessage.jobIdOf("r1", 2), "r1", "alice", 2, List.of(44L, 45L), PARAMS),
            new JobMessage(JobMessage.jobIdOf("r1", 2), "r1", "alice", 2, List.of(44L, 45L), EVERYTHING, -3),
            new WorkerFault("r1", "r1-2", "w1", "OutOfMemoryError: Java heap space", 1, NOW),
            new WorkerDrain("w1", "3 worker faults: lost heartbeats", NOW),
            new ProgressEvent("r1", "r1-2", "w1", 3, 20, 4.5, NOW),
            new PreviewEvent("r1", "r1-2", "w1", 10, "iVBORw0KGgo=", NOW),
            new JobFinished("r1", "r1-2", "w1", 2, 12.5, 1L << 30, NOW),
            new JobFailed("r1", "r1-2", "out of memory", 3, NOW),
            new JobSkipRequested("r1", "r1-2", "alice", NOW),
            new JobSkipped("r1", "r1-2", "w1", 2, NOW),
            new RequestCancelled("r1", "alice", NOW),
            new WorkerHeartbeat("w1", "cpu", 8L << 30, 4L << 30, 1L << 30, List.of("v1-5"), null, NOW),
            new WorkerHeartbeat("w1", "gpu(0)", 8L << 30, 4L << 30, 1L << 30, List.of(), "r1-2", NOW, true, 1.5e6),
            new JobReturned(new JobMessage(JobMessage.jobIdOf("r1", 2), "r1", "alice", 2, List.of(44L), PARAMS), 2,
                    "w2", NOW));

    @Test
    void everyMessageReadsBackAsItWasWritten() {
        for (Object message : SAMPLES) {
            String json = JSON.writeValueAsString(message);
            assertThat(JSON.readValue(json, message.getClass())).as(json).isEqualTo(message);
        }
    }

    @Test
    void everyMessageTypeHasASample() throws IOException, URISyntaxException {
        Path folder = Path.of(JobMessage.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("io/sdfleet/contracts");
        Set<String> messages;
        try (Stream<Path> files = Files.list(folder)) {
            messages = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".class") && !n.contains("$") && !n.equals("package-info.class"))
                    .map(n -> n.substring(0, n.length() - ".class".length()))
                    .filter(MessageRoundTripTest::isRecord)
                    .collect(Collectors.toSet());
        }
        Set<String> sampled = SAMPLES.stream().map(m -> m.getClass().getSimpleName()).collect(Collectors.toSet());
        assertThat(sampled).as("a message type without a sample here").containsAll(messages);
    }

    @Test
    void infinityIsWrittenSoThatItReadsBack() {
        // JSON has no infinity; s_tmax's default (+∞) travels as the string "Infinity"
        JsonNode tree = JSON.valueToTree(SamplerExtras.DEFAULTS);
        assertThat(tree.get("sTmax").asString()).isEqualTo("Infinity");
        assertThat(JSON.treeToValue(tree, SamplerExtras.class)).isEqualTo(SamplerExtras.DEFAULTS);
    }

    private static boolean isRecord(String simpleName) {
        try {
            return Class.forName("io.sdfleet.contracts." + simpleName).isRecord();
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
