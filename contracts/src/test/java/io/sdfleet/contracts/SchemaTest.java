package io.sdfleet.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every message, serialised as the services serialise it, fits the JSON schema published for it. */
class SchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private static final GenerationParameters PARAMS = new GenerationParameters("a cat", "", "Euler a", "Automatic",
            20, 7.0, 42, 512, 512, 2, 3, 1, null);

    private static final HiresFixOptions HIRES = new HiresFixOptions(2.0, 0, 0, "Latent", 0, 0.7, null, null, null);
    private static final Img2ImgOptions IMG2IMG = new Img2ImgOptions(List.of("iVBORw0KGgo="), 0.75, 0, null, 4, 1,
            false, 32, false);

    @Test
    void everyMessageMatchesItsSchema() throws IOException {
        Map<String, Object> samples = Map.ofEntries(
                Map.entry("GenerationParameters", PARAMS),
                Map.entry("HiresFixOptions", HIRES),
                Map.entry("NoiseSettings", new NoiseSettings("NV", 7, 0.3, 512, 512, 31337)),
                Map.entry("SamplerSettings", SamplerSettings.DEFAULTS),
                Map.entry("Img2ImgOptions", IMG2IMG),
                Map.entry("GenerationParameters with hires and img2img", new GenerationParameters("a cat", "", "Euler",
                        "Automatic", 20, 7.0, 42, 512, 512, 1, 1, 1, "v1-5", true, HIRES, IMG2IMG,
                        new NoiseSettings("CPU", 9, 0.5, 0, 0, 0), new SamplerSettings(0.5, 1, 0, 10.0, 1), "vae-ft-mse")),
                Map.entry("GenerationRequested", new GenerationRequested("r1", "alice", NOW, PARAMS)),
                Map.entry("GenerationRequested with priority", new GenerationRequested("r1", "alice", NOW, PARAMS, 5)),
                Map.entry("JobMessage", new JobMessage(JobMessage.jobIdOf("r1", 2), "r1", "alice", 2, List.of(44L, 45L), PARAMS)),
                Map.entry("JobMessage with priority", new JobMessage(JobMessage.jobIdOf("r1", 2), "r1", "alice", 2,
                        List.of(44L, 45L), PARAMS, -3)),
                Map.entry("WorkerFault", new WorkerFault("r1", "r1-2", "w1", "OutOfMemoryError: Java heap space", 1, NOW)),
                Map.entry("WorkerDrain", new WorkerDrain("w1", "3 worker faults: lost heartbeats", NOW)),
                Map.entry("ProgressEvent", new ProgressEvent("r1", "r1-2", "w1", 3, 20, 4.5, NOW)),
                Map.entry("PreviewEvent", new PreviewEvent("r1", "r1-2", "w1", 10, "iVBORw0KGgo=", NOW)),
                Map.entry("JobFinished", new JobFinished("r1", "r1-2", "w1", 2, 12.5, 1L << 30, NOW)),
                Map.entry("JobFailed", new JobFailed("r1", "r1-2", "out of memory", 3, NOW)),
                Map.entry("JobSkipRequested", new JobSkipRequested("r1", "r1-2", "alice", NOW)),
                Map.entry("JobSkipped", new JobSkipped("r1", "r1-2", "w1", 2, NOW)),
                Map.entry("RequestCancelled", new RequestCancelled("r1", "alice", NOW)),
                Map.entry("WorkerHeartbeat", new WorkerHeartbeat("w1", "cpu", 8L << 30, 4L << 30, 1L << 30, List.of("v1-5"), null, NOW)));
        for (Map.Entry<String, Object> e : samples.entrySet()) {
            JsonNode schema = schema(e.getKey().split(" ")[0]);
            JsonNode message = JSON.valueToTree(e.getValue());
            assertThat(problems(schema, message)).as(e.getKey()).isEmpty();
            // Every record component is described, and nothing else.
            List<String> components = new ArrayList<>();
            for (var c : e.getValue().getClass().getRecordComponents()) {
                components.add(c.getName());
            }
            List<String> described = new ArrayList<>();
            schema.path("properties").fieldNames().forEachRemaining(described::add);
            assertThat(described).as(e.getKey()).containsExactlyInAnyOrderElementsOf(components);
        }
    }

    @Test
    void messagesWrittenBeforePrioritiesExistedReadAsPriorityZero() {
        JsonNode job = JSON.valueToTree(new JobMessage("r1-0", "r1", "alice", 0, List.of(1L), PARAMS));
        ((ObjectNode) job).remove("priority");
        assertThat(treeToValue(job, JobMessage.class).priority()).isZero();
        JsonNode request = JSON.valueToTree(new GenerationRequested("r1", "alice", NOW, PARAMS, 2));
        assertThat(treeToValue(request, GenerationRequested.class).priority()).isEqualTo(2);
        ((ObjectNode) request).remove("priority");
        assertThat(treeToValue(request, GenerationRequested.class).priority()).isZero();
    }

    private static <T> T treeToValue(JsonNode node, Class<T> type) {
        try {
            return JSON.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aMessageMissingARequiredFieldIsCaught() throws IOException {
        JsonNode message = JSON.valueToTree(new JobFailed("r1", "j", "x", 1, NOW));
        ((ObjectNode) message).remove("reason");
        assertThat(problems(schema("JobFailed"), message)).anyMatch(p -> p.contains("reason"));
    }

    private static JsonNode schema(String name) throws IOException {
        try (InputStream in = SchemaTest.class.getResourceAsStream("/schemas/" + name + ".schema.json")) {
            assertThat(in).as("schema of " + name).isNotNull();
            return JSON.readTree(in);
        }
    }

    /** The checks our schemas use: required, additionalProperties false, property types, nested $ref. */
    private static List<String> problems(JsonNode schema, JsonNode message) throws IOException {
        List<String> problems = new ArrayList<>();
        for (JsonNode required : schema.path("required")) {
            if (!message.has(required.asText()) || message.get(required.asText()).isNull()) {
                problems.add("missing " + required.asText());
            }
        }
        for (Iterator<String> it = message.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            JsonNode property = schema.path("properties").path(field);
            if (property.isMissingNode()) {
                problems.add("unexpected " + field);
                continue;
            }
            if (property.has("$ref")) {
                problems.addAll(problems(schema(property.get("$ref").asText().replace(".schema.json", "")), message.get(field)));
                continue;
            }
            if (!typeMatches(property.path("type"), message.get(field))) {
                problems.add(field + " is not " + property.path("type"));
            }
        }
        return problems;
    }

    private static boolean typeMatches(JsonNode type, JsonNode value) {
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (typeMatches(t, value)) {
                    return true;
                }
            }
            return false;
        }
        return switch (type.asText()) {
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "array" -> value.isArray();
            case "object" -> value.isObject();
            case "null" -> value.isNull();
            case "boolean" -> value.isBoolean();
            default -> false;
        };
    }
}
