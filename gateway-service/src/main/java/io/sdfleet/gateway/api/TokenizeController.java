package io.sdfleet.gateway.api;

import io.sdfleet.diffusion.networks.ExtraNetworks;
import io.sdfleet.diffusion.prompt.ComposablePrompt;
import io.sdfleet.diffusion.prompt.PromptChunk;
import io.sdfleet.diffusion.prompt.PromptChunker;
import io.sdfleet.diffusion.prompt.PromptSchedule;
import io.sdfleet.diffusion.prompt.TokenizedPrompt;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;
import io.sdfleet.gateway.a1111.FieldProblem;
import io.sdfleet.gateway.a1111.InvalidRequestException;
import io.sdfleet.gateway.a1111.RequestLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The web page's token counter: A1111's "n/75" for a prompt, counted the way the engine chunks it (emphasis parsed,
 * {@code BREAK}, comma back-off, extra-network tags cut out, the longest of the prompt-editing schedules and of the
 * {@code AND} sub-prompts). Needs the CLIP tokenizer ({@code sdfleet.gateway.tokenizer}, {@code SDFLEET_TOKENIZER});
 * without one it answers {@code available: false} and the page falls back to an estimate it labels as such.
 */
@RestController
@RequestMapping("/api/v1/tokenize")
public class TokenizeController {

    private static final Logger log = LoggerFactory.getLogger(TokenizeController.class);

    private final PromptChunker chunker;
    private final RequestLimits limits;

    public TokenizeController(@Value("${sdfleet.gateway.tokenizer:}") String tokenizer, RequestLimits limits) {
        this.limits = limits;
        this.chunker = load(tokenizer);
    }

    private static PromptChunker load(String tokenizer) {
        if (tokenizer == null || tokenizer.isBlank() || !Files.exists(Path.of(tokenizer))) {
            log.info("no CLIP tokenizer configured (sdfleet.gateway.tokenizer): /api/v1/tokenize answers available=false");
            return null;
        }
        try {
            return new PromptChunker(ClipTokenizer.load(Path.of(tokenizer)));
        } catch (RuntimeException e) {
            log.warn("CLIP tokenizer at {} not usable: {}", tokenizer, e.toString());
            return null;
        }
    }

    /** {@code {"text": "...", "steps": 20}} → {@code {"available": true, "tokens": 80, "chunks": [75, 5], ...}}. */
    @PostMapping
    public Map<String, Object> tokenize(@RequestBody JsonNode body) {
        JsonNode text = body == null ? null : body.get("text");
        if (text == null || !text.isString()) {
            throw new InvalidRequestException(List.of(new FieldProblem("text", "a string is required")), false);
        }
        if (text.asString().length() > limits.maxPromptLength()) {
            throw new InvalidRequestException(List.of(new FieldProblem("text",
                    "at most " + limits.maxPromptLength() + " characters")), false);
        }
        int steps = body.has("steps") && body.get("steps").canConvertToInt() ? Math.max(1, Math.min(body.get("steps").asInt(), 1000)) : 20;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("available", chunker != null);
        out.put("chunk_length", PromptChunker.CHUNK_LENGTH);
        if (chunker == null) {
            return out;
        }
        TokenizedPrompt longest = null;
        String prompt = ExtraNetworks.parse(text.asString()).prompt();
        for (ComposablePrompt.Part part : ComposablePrompt.split(prompt)) {
            for (PromptSchedule.Entry entry : PromptSchedule.of(part.text(), steps)) {
                TokenizedPrompt t = chunker.tokenize(entry.prompt());
                if (longest == null || t.tokenCount() > longest.tokenCount()) {
                    longest = t;
                }
            }
        }
        List<Integer> chunks = new ArrayList<>();
        for (PromptChunk chunk : longest.chunks()) {
            chunks.add(used(chunk));
        }
        out.put("tokens", longest.tokenCount());
        out.put("chunks", chunks);
        out.put("max", Math.max(1, chunks.size()) * PromptChunker.CHUNK_LENGTH);
        return out;
    }

    /** Ids between BOS and the first end-of-text (an embedding's placeholders count as its vectors). */
    private static int used(PromptChunk chunk) {
        long eos = chunk.tokens()[chunk.tokens().length - 1];
        int n = 0;
        for (int i = 1; i < chunk.tokens().length - 1 && chunk.tokens()[i] != eos; i++) {
            n++;
        }
        return n;
    }
}
