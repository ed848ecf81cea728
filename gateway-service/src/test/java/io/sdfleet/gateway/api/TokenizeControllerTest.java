package io.sdfleet.gateway.api;

import io.sdfleet.gateway.a1111.InvalidRequestException;
import io.sdfleet.gateway.a1111.RequestLimits;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The web page's token counter: A1111's chunk counts, and a plain "not available" without a tokenizer. */
class TokenizeControllerTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static ObjectNode body(String text) {
        ObjectNode body = JSON.createObjectNode();
        body.put("text", text);
        return body;
    }

    @Test
    void withoutATokenizerItSaysSo() {
        Map<String, Object> out = new TokenizeController("", RequestLimits.DEFAULTS).tokenize(body("a cat"));
        assertThat(out).containsEntry("available", false).doesNotContainKey("tokens");
        assertThatThrownBy(() -> new TokenizeController("", RequestLimits.DEFAULTS).tokenize(JSON.createObjectNode()))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void countsTokensPerChunkAsTheEngineChunksThem() {
        Path tokenizer = Path.of(System.getProperty("sdfleet.reference", "../../shared/reference")).resolve("clip-tokenizer");
        Assumptions.assumeTrue(Files.isDirectory(tokenizer), "no CLIP tokenizer at " + tokenizer);
        TokenizeController controller = new TokenizeController(tokenizer.toString(), RequestLimits.DEFAULTS);

        Map<String, Object> cat = controller.tokenize(body("a cat"));
        assertThat(cat).containsEntry("available", true).containsEntry("tokens", 2).containsEntry("chunks", List.of(2))
                .containsEntry("max", 75);
        // emphasis syntax and extra-network tags take no tokens
        assertThat(controller.tokenize(body("(a:1.3) [cat] <lora:film:0.8>"))).containsEntry("tokens", 2);
        // BREAK closes a chunk: a full 75 then the rest
        Map<String, Object> broken = controller.tokenize(body("a cat BREAK a dog"));
        assertThat(broken).containsEntry("chunks", List.of(2, 2)).containsEntry("max", 150);
        // 100 words: two chunks
        Map<String, Object> lon = controller.tokenize(body("cat ".repeat(100)));
        assertThat(lon).containsEntry("tokens", 100).containsEntry("chunks", List.of(75, 25));
        // prompt editing: the longer of the two schedules counts
        assertThat(controller.tokenize(body("[a cat:a big fluffy dog:0.5]"))).containsEntry("tokens", 4);
    }
}
