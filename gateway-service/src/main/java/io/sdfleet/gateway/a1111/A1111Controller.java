package io.sdfleet.gateway.a1111;

import io.sdfleet.diffusion.prompt.PromptStyles;
import io.sdfleet.gateway.GatewayProperties;
import io.sdfleet.gateway.api.Callers;
import io.sdfleet.gateway.generation.Generation;
import io.sdfleet.gateway.generation.Generations;
import io.sdfleet.gateway.generation.StorageReader;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * AUTOMATIC1111's {@code /sdapi/v1} as a synchronous facade over the asynchronous fleet: txt2img answers once all
 * images are stored. Progress is per caller, not global.
 */
@RestController
@RequestMapping("/sdapi/v1")
public class A1111Controller {

    /** Lists the fields and settings a request carried that A1111 ignores too. */
    public static final String IGNORED_FIELDS_HEADER = "X-Sdfleet-Ignored-Fields";
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(A1111Controller.class);

    private final Generations generations;
    private final StorageReader storage;
    private final ModelCatalog models;
    private final JsonMapper json;
    private final GatewayProperties properties;
    private final io.sdfleet.gateway.generation.Workers workers;
    private final PromptStyles styles;
    private final io.sdfleet.gateway.auth.UsageLimits limits;
    private final RequestLimits requestLimits;
    private final UserOptions userOptions;

    public A1111Controller(Generations generations, StorageReader storage, ModelCatalog models, JsonMapper json,
                           GatewayProperties properties, io.sdfleet.gateway.generation.Workers workers,
                           PromptStyles styles, io.sdfleet.gateway.auth.UsageLimits limits, RequestLimits requestLimits,
                           UserOptions userOptions) {
        this.userOptions = userOptions;
        this.requestLimits = requestLimits;
        this.styles = styles;
        this.limits = limits;
        this.generations = generations;
        this.storage = storage;
        this.models = models;
        this.json = json;
        this.properties = properties;
        this.workers = workers;
    }

    @PostMapping("/txt2img")
    public CompletableFuture<ResponseEntity<JsonNode>> txt2img(@RequestBody JsonNode body, HttpServletRequest http) {
        return run(A1111Request.parse(body, models, styles, requestLimits, A1111Request.Kind.TXT2IMG,
                A1111Request.Dialect.A1111, userOptions.of(Callers.of(http))), http);
    }

    @PostMapping("/img2img")
    public CompletableFuture<ResponseEntity<JsonNode>> img2img(@RequestBody JsonNode body, HttpServletRequest http) {
        return run(A1111Request.parse(body, models, styles, requestLimits, A1111Request.Kind.IMG2IMG,
                A1111Request.Dialect.A1111, userOptions.of(Callers.of(http))), http);
    }

    /** Queues the request and answers once every image is stored (or the request ended otherwise). */
    private CompletableFuture<ResponseEntity<JsonNode>> run(A1111Request request, HttpServletRequest http) {
        if (!workers.anyCanTakeJobs()) {
            // a synchronous caller would otherwise hold its connection until the timeout, waiting for nobody
            throw new NoWorkerException();
        }
        Generation generation = generations.submit(admitted(http, request), request.parameters());
        return generation.done()
                .orTimeout(properties.syncTimeoutSeconds(), TimeUnit.SECONDS)
                .thenApply(done -> {
                    if (done.state() != Generation.State.FINISHED) {
                        ObjectNode error = json.createObjectNode();
                        error.put("error", done.state().name());
                        error.put("detail", done.error() == null ? "generation " + done.state().name().toLowerCase() : done.error());
                        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).headers(ignoredFieldsHeader(request))
                                .body((JsonNode) error);
                    }
                    List<byte[]> pngs = new ArrayList<>();
                    for (int index : done.storedIndexes()) { // skipped batches have no images, as in A1111
                        pngs.add(storage.png(done.id(), index));
                    }
                    return ResponseEntity.ok().headers(ignoredFieldsHeader(request))
                            .body((JsonNode) A1111Responses.generation(request, done, pngs, json));
                });
    }

    /** Stops the caller's current generation (A1111's interrupt, limited to the caller's own work). */
    @PostMapping("/interrupt")
    public Map<String, Object> interrupt(HttpServletRequest http) {
        generations.currentOf(Callers.of(http)).ifPresent(generations::cancel);
        return Map.of();
    }

    /** Skips the batch now running for the caller's current generation; the rest of it goes on (A1111's skip). */
    @PostMapping("/skip")
    public Map<String, Object> skip(HttpServletRequest http) {
        generations.currentOf(Callers.of(http)).ifPresent(generations::skipCurrentJob);
        return Map.of();
    }

    /**
     * A1111's memory report, per worker: {@code ram} (CPU workers: the host's memory) or {@code cuda} (GPU workers),
     * keyed by worker id, plus the totals A1111 clients read at the top level from the first worker. A worker's
     * current job is shown only to its owner (and admins): job ids name requests.
     */
    @GetMapping("/memory")
    public Map<String, Object> memory(HttpServletRequest http) {
        io.sdfleet.gateway.auth.Caller caller = Callers.caller(http);
        Map<String, Object> perWorker = new LinkedHashMap<>();
        for (io.sdfleet.contracts.WorkerHeartbeat h : workers.live()) {
            Map<String, Object> usage = Map.of("free", h.freeMemoryBytes(),
                    "used", h.totalMemoryBytes() - h.freeMemoryBytes(), "total", h.totalMemoryBytes());
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("device", h.device());
            if (h.device().startsWith("gpu")) {
                entry.put("cuda", Map.of("system", usage, "active", Map.of("peak", h.peakMemoryBytes())));
            } else {
                entry.put("ram", usage);
                entry.put("peak", h.peakMemoryBytes());
            }
            entry.put("loaded_models", h.loadedModels());
            entry.put("current_job", visibleJob(h.currentJobId(), caller));
            perWorker.put(h.workerId(), entry);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        perWorker.values().stream().findFirst().ifPresent(first -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> f = (Map<String, Object>) first;
            out.put("ram", f.getOrDefault("ram", null));
            out.put("cuda", f.getOrDefault("cuda", null));
        });
        out.put("workers", perWorker);
        return out;
    }

    /** The job id when the caller may know of it (their own request's, or any for an admin), else null. */
    private String visibleJob(String jobId, io.sdfleet.gateway.auth.Caller caller) {
        if (jobId == null || caller.admin()) {
            return jobId;
        }
        String requestId = io.sdfleet.contracts.JobMessage.requestIdOf(jobId);
        boolean own = generations.find(requestId).filter(g -> g.user().equals(caller.name())).isPresent();
        return own ? jobId : null;
    }

    /**
     * A1111's png-info: the infotext of a base64 PNG (data: prefix allowed), raw and parsed. The PNG may be as large
     * as an init image, and its text chunks together hold at most {@code max-png-info-text-bytes}.
     */
    @PostMapping("/png-info")
    public Map<String, Object> pngInfo(@RequestBody JsonNode body) {
        JsonNode image = body == null ? null : body.get("image");
        if (image == null || !image.isString() || image.asString().isBlank()) {
            throw new InvalidRequestException(List.of(new FieldProblem("image", "a base64 PNG is required")), false);
        }
        String data = image.asString();
        int comma = data.startsWith("data:") ? data.indexOf(',') : -1;
        Map<String, String> text;
        try {
            byte[] png = java.util.Base64.getMimeDecoder().decode(data.substring(comma + 1));
            if (png.length > requestLimits.maxInitImageBytes()) {
                throw new InvalidRequestException(List.of(new FieldProblem("image",
                        "larger than " + requestLimits.maxInitImageBytes() + " bytes")), false);
            }
            text = io.sdfleet.diffusion.image.PngFiles.readText(png, requestLimits.maxPngInfoTextBytes());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(List.of(new FieldProblem("image", "not a base64 PNG: " + e.getMessage())), false);
        }
        String info = text.getOrDefault("parameters", "");
        Map<String, Object> parameters = new LinkedHashMap<>();
        if (!info.isEmpty()) {
            io.sdfleet.diffusion.infotext.Infotext parsed = io.sdfleet.diffusion.infotext.Infotext.parse(info);
            parameters.put("Prompt", parsed.prompt());
            parameters.put("Negative prompt", parsed.negativePrompt());
            parameters.putAll(parsed.parameters());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("info", info);
        out.put("items", text);
        out.put("parameters", parameters);
        return out;
    }

    /** The caller's current request (or the one named by force_task_id), in A1111's progress shape. */
    @GetMapping("/progress")
    public Map<String, Object> progress(@RequestParam(name = "force_task_id", required = false) String taskId,
                                        HttpServletRequest http) {
        String user = Callers.of(http);
        var generation = taskId != null
                ? generations.find(taskId).filter(g -> g.user().equals(user))
                : generations.currentOf(user);
        Map<String, Object> state = new LinkedHashMap<>();
        Map<String, Object> out = new LinkedHashMap<>();
        if (generation.isEmpty()) {
            state.put("job_count", 0);
            out.put("progress", 0.0);
            out.put("eta_relative", 0.0);
        } else {
            Generation g = generation.get();
            int images = g.parameters().imageCount();
            double fraction = g.totalSteps() == 0 ? 0 : (double) g.step() / g.totalSteps();
            double progress = Math.min(1.0, ((double) g.imagesDone() + fraction * g.parameters().batchSize()) / images);
            state.put("job", g.id());
            state.put("job_count", g.parameters().nIter());
            state.put("job_no", g.imagesDone() / Math.max(1, g.parameters().batchSize()));
            state.put("sampling_step", g.step());
            state.put("sampling_steps", g.totalSteps());
            out.put("progress", g.state() == Generation.State.FINISHED ? 1.0 : progress);
            out.put("eta_relative", g.etaSeconds());
        }
        state.put("skipped", false);
        state.put("interrupted", false);
        out.put("state", state);
        out.put("current_image", generation.map(Generation::preview).orElse(null));
        out.put("textinfo", null);
        return out;
    }

    /** What the request carried that A1111's models ignore, so a client can see it was not used. */
    private static org.springframework.http.HttpHeaders ignoredFieldsHeader(A1111Request request) {
        org.springframework.http.HttpHeaders headers = new org.springframework.http.HttpHeaders();
        if (!request.ignoredFields().isEmpty()) {
            log.debug("ignored fields: {}", request.ignoredFields());
            // names come from the caller: only a safe, bounded spelling goes into a header
            List<String> names = request.ignoredFields().stream().limit(32)
                    .map(n -> n.length() > 64 ? n.substring(0, 64) : n)
                    .map(n -> n.replaceAll("[^A-Za-z0-9_.\\-]", "?")).toList();
            headers.set(IGNORED_FIELDS_HEADER, String.join(", ", names)
                    + (request.ignoredFields().size() > names.size() ? ", ..." : ""));
        }
        return headers;
    }

    /** The caller, once their limits admit this request (429 otherwise). */
    private String admitted(HttpServletRequest http, io.sdfleet.gateway.a1111.A1111Request request) {
        io.sdfleet.gateway.auth.Caller caller = Callers.caller(http);
        limits.admit(caller, request.parameters());
        return caller.name();
    }
}
