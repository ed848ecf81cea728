package io.sdfleet.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static io.sdfleet.contracts.MessageRoundTripTest.PARAMS;
import static org.assertj.core.api.Assertions.assertThat;

/** Messages written before a field existed, read with Jackson 2's defaults (absent primitives are 0). */
class OlderMessagesTest {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

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
}
