package io.sdfleet.gateway.api;

import io.sdfleet.diffusion.prompt.PromptStyles;
import io.sdfleet.gateway.a1111.A1111Request;
import io.sdfleet.gateway.a1111.FieldProblem;
import io.sdfleet.gateway.a1111.InvalidRequestException;
import io.sdfleet.gateway.a1111.ModelCatalog;
import io.sdfleet.gateway.a1111.RequestLimits;
import io.sdfleet.gateway.a1111.UserOptions;
import io.sdfleet.gateway.auth.Caller;
import io.sdfleet.gateway.auth.UsageLimits;
import io.sdfleet.gateway.generation.Generation;
import io.sdfleet.gateway.generation.Generations;
import io.sdfleet.gateway.generation.StorageReader;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The native asynchronous API: submit (202 + id), look up state and images, follow events as server-sent events,
 * cancel. Takes the same body as A1111's txt2img.
 */
@RestController
@RequestMapping("/api/v1/generations")
public class GenerationsController {

    private final Generations generations;
    private final ModelCatalog models;
    private final StorageReader storage;

    private final PromptStyles styles;
    private final RequestLimits requestLimits;

    private final UsageLimits limits;

    private final UserOptions userOptions;

    public GenerationsController(Generations generations, ModelCatalog models, StorageReader storage,
                                 PromptStyles styles,
                                 UsageLimits limits,
                                 RequestLimits requestLimits,
                                 UserOptions userOptions) {
        this.userOptions = userOptions;
        this.requestLimits = requestLimits;
        this.styles = styles;
        this.limits = limits;
        this.generations = generations;
        this.models = models;
        this.storage = storage;
    }

    @PostMapping
    public ResponseEntity<Map<String, Object>> submit(@RequestBody JsonNode body, HttpServletRequest http) {
        // The native API takes A1111's fields; init_images makes it an img2img request.
        A1111Request.Kind kind = body != null && body.has("init_images") ? A1111Request.Kind.IMG2IMG : A1111Request.Kind.TXT2IMG;
        int priority = priorityOf(body); // the one native-only field: A1111's endpoints keep A1111's fields
        if (body instanceof ObjectNode object && object.has("priority")) {
            body = object.deepCopy();
            ((ObjectNode) body).remove("priority");
        }
        A1111Request request = A1111Request.parse(body, models, styles, requestLimits, kind,
                A1111Request.Dialect.NATIVE, userOptions.of(Callers.of(http)));
        Caller caller = Callers.caller(http);
        Generation g = generations.submit(caller.name(), request.parameters(), priority,
                limits.of(caller, request.parameters()));
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .header("Location", "/api/v1/generations/" + g.id())
                .body(Map.of("id", g.id(), "state", g.state().name().toLowerCase(), "images", g.parameters().imageCount(),
                        "seed", g.parameters().noise().seed()));
    }

    /** The caller's requests, newest first; {@code before} (an ISO instant) pages back. */
    @GetMapping
    public List<Map<String, Object>> list(@RequestParam(required = false) String before,
                                          @RequestParam(defaultValue = "50") int limit,
                                          HttpServletRequest http) {
        Instant cursor;
        try {
            cursor = before == null ? null : Instant.parse(before);
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException(List.of(
                    new FieldProblem("before", "must be an ISO-8601 instant")), false);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Generation.Snapshot s : generations.listOf(Callers.of(http), cursor, Math.max(1, Math.min(limit, 200)))) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", s.id());
            entry.put("state", s.state().name().toLowerCase());
            entry.put("accepted_at", s.acceptedAt().toString());
            entry.put("prompt", s.parameters().prompt().positive());
            entry.put("images", s.parameters().imageCount());
            entry.put("images_done", s.imagesDone());
            // what the web page's gallery shows and filters on without a call per request
            entry.put("negative_prompt", s.parameters().prompt().negative());
            entry.put("model", s.parameters().models().checkpoint());
            entry.put("mode", s.parameters().extras() != null ? "extras"
                    : s.parameters().img2img() == null ? "txt2img" : "img2img");
            entry.put("seed", s.parameters().noise().seed());
            entry.put("width", s.parameters().size().width());
            entry.put("height", s.parameters().size().height());
            entry.put("stored_indexes", s.storedIndexes());
            out.add(entry);
        }
        return out;
    }

    /** Optional {@code priority}: an integer, higher first among the caller's own requests (default 0). */
    private static int priorityOf(JsonNode body) {
        JsonNode priority = body == null ? null : body.get("priority");
        if (priority == null || priority.isNull()) {
            return 0;
        }
        if (!priority.isIntegralNumber() || !priority.canConvertToInt()) {
            throw new InvalidRequestException(List.of(new FieldProblem(
                    "priority", "must be an integer")), false);
        }
        return priority.asInt();
    }

    @GetMapping("/{id}")
    public ResponseEntity<Map<String, Object>> get(@PathVariable String id, HttpServletRequest http) {
        return owned(id, http).<ResponseEntity<Map<String, Object>>>map(g -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", g.id());
            out.put("state", g.state().name().toLowerCase());
            out.put("queue_position", generations.queuePosition(g));
            out.put("images_done", g.imagesDone());
            List<Map<String, Object>> images = new ArrayList<>();
            for (int index : g.imageIndexes()) {
                Map<String, Object> image = new LinkedHashMap<>();
                image.put("index", index);
                image.put("seed", g.parameters().noise().seedOf(index));
                boolean stored = g.events().stream().anyMatch(e -> e.name().equals("image_stored")
                        && Integer.valueOf(index).equals(e.data().get("index")));
                image.put("status", stored ? "stored" : "pending");
                image.put("url", stored ? "/api/v1/generations/" + g.id() + "/images/" + index : null);
                images.add(image);
            }
            out.put("images", images);
            out.put("error", g.error());
            return ResponseEntity.ok(out);
        }).orElse(ResponseEntity.notFound().build());
    }

    @GetMapping(path = "/{id}/images/{index}", produces = MediaType.IMAGE_PNG_VALUE)
    public ResponseEntity<byte[]> image(@PathVariable String id, @PathVariable int index, HttpServletRequest http) {
        return owned(id, http).map(g -> {
            if (index < 0 || index >= g.parameters().imageCount()) {
                throw new InvalidRequestException(List.of(new FieldProblem("index",
                        "must be between 0 and " + (g.parameters().imageCount() - 1))), false);
            }
            // an index of the request not stored yet (or skipped): 404, as for any image that is not there
            return storage.png(g.id(), index).map(ResponseEntity::ok).orElse(ResponseEntity.notFound().build());
        }).orElse(ResponseEntity.notFound().build());
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public ResponseEntity<SseEmitter> events(@PathVariable String id, HttpServletRequest http) {
        return owned(id, http).map(g -> {
            SseEmitter emitter = new SseEmitter(0L);
            g.subscribe(emitter);
            return ResponseEntity.ok(emitter);
        }).orElse(ResponseEntity.notFound().build());
    }

    @DeleteMapping("/{id}")
    public ResponseEntity<Void> cancel(@PathVariable String id, HttpServletRequest http) {
        return owned(id, http).map(g -> {
            generations.cancel(g);
            return ResponseEntity.noContent().<Void>build();
        }).orElse(ResponseEntity.notFound().build());
    }

    /** A1111's skip for this request: its running batch is dropped, the rest goes on (409 when none runs). */
    @PostMapping("/{id}/skip")
    public ResponseEntity<Void> skip(@PathVariable String id, HttpServletRequest http) {
        return owned(id, http).map(g -> generations.skipCurrentJob(g)
                ? ResponseEntity.accepted().<Void>build()
                : ResponseEntity.status(HttpStatus.CONFLICT).<Void>build()).orElse(ResponseEntity.notFound().build());
    }

    /** A user sees only their own generations. */
    private Optional<Generation> owned(String id, HttpServletRequest http) {
        return generations.find(id).filter(g -> g.user().equals(Callers.of(http)));
    }
}
