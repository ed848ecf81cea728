package io.sdfleet.launcher;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Long prompts in every shape of A1111's syntax — up to the gateway's 10,000 characters of words, commas,
 * attention parentheses (balanced, unbalanced, escaped, nested deep), prompt editing, alternation, {@code AND} and
 * {@code BREAK} — through the whole fleet to a real worker on the mini model. Each is accepted (never a 5xx) and
 * makes its image; afterwards the only worker is still live and not drained. Before the prompt layer used scanners,
 * about 1,800 characters overflowed the worker's stack, were blamed on the worker, and three such requests drained
 * three workers.
 */
class LongPromptFuzzTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_PROMPT = 10_000;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestFleet test;

    @BeforeContainer
    static void start() throws Exception {
        test = TestFleet.start(Files.createTempDirectory("sdfleet-long-prompts"), "longprompt", 1, o -> o);
    }

    @AfterContainer
    static void workerStillServes() throws Exception {
        try {
            String worker = test.fleet.workerIds().getFirst();
            HttpResponse<String> live = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + test.fleet.httpPorts().get(worker) + "/actuator/health/liveness")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).as("the worker's liveness (drained shows as DOWN): " + live.body()).isEqualTo(200);
            assertThat(generate(Map.of("prompt", "a plain prompt after the fuzz", "steps", 1, "width", 64, "height", 64)))
                    .as("a plain request after the long ones").isEqualTo("finished");
        } finally {
            test.close();
        }
    }

    @Property(tries = 12, shrinking = ShrinkingMode.OFF)
    void longStructuredPromptsMakeImagesAndNeverBlameTheWorker(@ForAll("longPrompts") String prompt,
                                                                @ForAll("longPrompts") String negative) throws Exception {
        String state = generate(Map.of("prompt", prompt, "negative_prompt", negative.substring(0, negative.length() / 4),
                "steps", 1, "width", 64, "height", 64, "seed", 7));
        assertThat(state).as("prompt of %d characters starting %s", prompt.length(),
                prompt.substring(0, Math.min(80, prompt.length()))).isEqualTo("finished");
    }

    @Provide
    Arbitrary<String> longPrompts() {
        Arbitrary<String> word = Arbitraries.of("a", "cat", "red", "lighthouse at dusk", "masterpiece", "sky", "x");
        Arbitrary<String> fragment = Arbitraries.frequencyOf(
                Tuple.of(30, word),
                Tuple.of(20, Arbitraries.of(", ", ",", " ", "  ", "\n")),
                Tuple.of(8, word.map(w -> "(" + w + ")")),
                Tuple.of(6, word.map(w -> "(" + w + ":1.3)")),
                Tuple.of(5, word.map(w -> "[" + w + "]")),
                Tuple.of(6, Arbitraries.of("(", ")", "[", "]", ":", "|", "\\(", "\\)", "\\[", "\\]", "\\")),
                Tuple.of(4, word.map(w -> "[" + w + ":" + w + ":0.5]")),
                Tuple.of(3, word.map(w -> "[" + w + "|" + w + "]")),
                Tuple.of(2, Arbitraries.integers().between(10, 200).map(n -> "(".repeat(n) + "deep" + ")".repeat(n))),
                Tuple.of(2, Arbitraries.integers().between(10, 200).map(n -> "[".repeat(n) + "open")),
                Tuple.of(2, Arbitraries.of(" BREAK ", "BREAK")),
                Tuple.of(1, Arbitraries.of(" AND ", " AND sky :1.2 ", " AND cat:0.5 ")));
        return fragment.list().ofMinSize(500).ofMaxSize(4000).map(parts -> {
            String joined = String.join("", parts);
            return joined.length() > MAX_PROMPT ? joined.substring(0, MAX_PROMPT) : joined;
        });
    }

    /** Submits on the native API and waits for the generation's end state. */
    private static String generate(Map<String, Object> body) throws Exception {
        HttpResponse<String> accepted = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/generations"))
                .header("Content-Type", "application/json").header("X-Sdfleet-User", "fuzzer")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = JSON.readTree(accepted.body()).get("id").asString();
        for (int i = 0; i < 1200; i++) {
            HttpResponse<String> status = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/generations/" + id))
                    .header("X-Sdfleet-User", "fuzzer").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
            JsonNode generation = JSON.readTree(status.body());
            String state = generation.get("state").asString();
            if (!state.equals("queued") && !state.equals("running")) {
                String error = generation.path("error").asString("");
                return error.isEmpty() ? state : state + ": " + error;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("generation " + id + " did not end within 120 s");
    }

    private static String base() {
        return "http://127.0.0.1:" + test.fleet.gatewayPort();
    }
}
