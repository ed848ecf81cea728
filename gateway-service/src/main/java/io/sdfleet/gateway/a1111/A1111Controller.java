package io.sdfleet.gateway.a1111;

import com.sun.management.OperatingSystemMXBean;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.contracts.WorkerHeartbeat;
import io.sdfleet.diffusion.image.PngFiles;
import io.sdfleet.diffusion.infotext.Infotext;
import io.sdfleet.diffusion.prompt.PromptStyles;
import io.sdfleet.gateway.GatewayProperties;
import io.sdfleet.gateway.api.Callers;
import io.sdfleet.gateway.auth.Caller;
import io.sdfleet.gateway.auth.UsageLimits;
import io.sdfleet.gateway.generation.Generation;
import io.sdfleet.gateway.generation.Generations;
import io.sdfleet.gateway.generation.StorageReader;
import io.sdfleet.gateway.generation.Workers;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * AUTOMATIC1111's {@code /sdapi/v1} as a synchronous facade over the asynchronous fleet: txt2img answers once all
 * images are stored. Progress is per caller, not global.
 */
@RestController
@RequestMapping("/sdapi/v1")
public class A1111Controller {

    /** Lists the fields and settings a request carried that A1111 ignores too. */
    public static final String IGNORED_FIELDS_HEADER = IgnoredFields.HEADER;
    private static final Logger log = LoggerFactory.getLogger(A1111Controller.class);

    private final Generations generations;
    private final StorageReader storage;
    private final ModelCatalog models;
    private final JsonMapper json;
    private final GatewayProperties properties;
    private final Workers workers;
    private final PromptStyles styles;
    private final UsageLimits limits;
    private final RequestLimits requestLimits;
    private final UserOptions userOptions;

    public A1111Controller(Generations generations, StorageReader storage, ModelCatalog models, JsonMapper json,
                           GatewayProperties properties, Workers workers,
                           PromptStyles styles, UsageLimits limits, RequestLimits requestLimits,
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
        Caller caller = Callers.caller(http);
        Generation generation = generations.submit(caller.name(), request.parameters(), 0,
                limits.of(caller, request.parameters()));
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
                        pngs.add(storage.png(done.id(), index).orElseThrow(() -> new IllegalStateException(
                                "storage has no image " + index + " of " + done.id() + ", stored by its events")));
                    }
                    return ResponseEntity.ok().headers(ignoredFieldsHeader(request))
                            .body((JsonNode) A1111Responses.generation(request, done, pngs, json));
                })
                .exceptionally(failure -> {
                    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                    if (!(cause instanceof TimeoutException)) {
                        throw failure instanceof CompletionException c ? c
                                : new CompletionException(failure);
                    }
                    // the generation goes on; the caller is told where to follow it rather than given a 500
                    ObjectNode problem = json.createObjectNode();
                    problem.put("type", "about:blank");
                    problem.put("title", "Gateway Timeout");
                    problem.put("status", 504);
                    problem.put("detail", "the generation did not finish within " + properties.syncTimeoutSeconds()
                            + " s; it goes on: follow it at /api/v1/generations/" + generation.id());
                    problem.put("id", generation.id());
                    return ResponseEntity.status(HttpStatus.GATEWAY_TIMEOUT)
                            .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                            .headers(ignoredFieldsHeader(request)).body((JsonNode) problem);
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
    public ResponseEntity<JsonNode> skip(HttpServletRequest http) {
        generations.currentOf(Callers.of(http)).ifPresent(generations::skipCurrentJob);
        // A1111's skip returns nothing: a JSON null
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
                .body(JsonNodeFactory.instance.nullNode());
    }

    /**
     * A1111's memory report: {@code ram} {free, used, total} as A1111 counts it for its own process (used = this
     * gateway's resident memory, total = the host's), and {@code cuda} in A1111's shape from the first GPU worker
     * ({@code system} {free, used, total} of its device, {@code active}/{@code allocated}/{@code reserved}
     * {current, peak} from what its heartbeat tells: device memory in use and the peak its jobs reached;
     * {@code inactive} and {@code events} are not tracked and read 0), or, with no GPU worker,
     * {@code {"error": "unavailable"}}, A1111's answer on a machine without CUDA. In addition {@code workers}: each
     * live worker's device, memory ({@code ram} on CPU workers, {@code cuda} on GPU ones), loaded models and
     * current job; the job is shown only to its owner (and admins): job ids name requests.
     */
    @GetMapping("/memory")
    public Map<String, Object> memory(HttpServletRequest http) {
        Caller caller = Callers.caller(http);
        Map<String, Object> perWorker = new LinkedHashMap<>();
        Map<String, Object> firstCuda = null;
        for (WorkerHeartbeat h : workers.live()) {
            Map<String, Object> usage = memoryUsage(h.freeMemoryBytes(), h.totalMemoryBytes() - h.freeMemoryBytes(),
                    h.totalMemoryBytes());
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("device", h.device());
            if (h.device().startsWith("gpu")) {
                Map<String, Object> cuda = cudaShape(usage, h.totalMemoryBytes() - h.freeMemoryBytes(), h.peakMemoryBytes());
                entry.put("cuda", cuda);
                if (firstCuda == null) {
                    firstCuda = cuda;
                }
            } else {
                entry.put("ram", usage);
                entry.put("peak", h.peakMemoryBytes());
            }
            entry.put("loaded_models", h.loadedModels());
            entry.put("current_job", visibleJob(h.currentJobId(), caller));
            perWorker.put(h.workerId(), entry);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ram", gatewayRam());
        out.put("cuda", firstCuda != null ? firstCuda : Map.of("error", "unavailable"));
        out.put("workers", perWorker);
        return out;
    }

    private static Map<String, Object> memoryUsage(long free, long used, long total) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("free", free);
        usage.put("used", used);
        usage.put("total", total);
        return usage;
    }

    /** A1111's torch.cuda figures, filled from a heartbeat: in use now and the jobs' peak. */
    private static Map<String, Object> cudaShape(Map<String, Object> system, long inUse, long peak) {
        Map<String, Object> cuda = new LinkedHashMap<>();
        cuda.put("system", system);
        for (String key : List.of("active", "allocated", "reserved")) {
            cuda.put(key, Map.of("current", inUse, "peak", Math.max(peak, inUse)));
        }
        cuda.put("inactive", Map.of("current", 0L, "peak", 0L));
        cuda.put("events", Map.of("retries", 0L, "oom", 0L));
        return cuda;
    }

    /** As A1111's psutil figures: used = this process's resident set, total = the host's memory, free = the rest. */
    private static Map<String, Object> gatewayRam() {
        long total = 0;
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof OperatingSystemMXBean os) {
            total = os.getTotalMemorySize();
        }
        long used = residentBytes();
        if (total <= 0) {
            total = Runtime.getRuntime().maxMemory();
        }
        return memoryUsage(Math.max(0, total - used), used, total);
    }

    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the JVM's own heap use below
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** The job id when the caller may know of it (their own request's, or any for an admin), else null. */
    private String visibleJob(String jobId, Caller caller) {
        if (jobId == null || caller.admin()) {
            return jobId;
        }
        String requestId = JobMessage.requestIdOf(jobId);
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
            byte[] png = Base64.getMimeDecoder().decode(data.substring(comma + 1));
            if (png.length > requestLimits.maxInitImageBytes()) {
                throw new InvalidRequestException(List.of(new FieldProblem("image",
                        "larger than " + requestLimits.maxInitImageBytes() + " bytes")), false);
            }
            text = PngFiles.readText(png, requestLimits.maxPngInfoTextBytes());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(List.of(new FieldProblem("image", "not a base64 PNG: " + e.getMessage())), false);
        }
        String info = text.getOrDefault("parameters", "");
        Map<String, Object> parameters = new LinkedHashMap<>();
        if (!info.isEmpty()) {
            Infotext parsed = Infotext.parse(info);
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

    /**
     * The caller's current request (or the one named by force_task_id), in A1111's progress shape. {@code state} has
     * every key of A1111's {@code State.dict()}; idle it reads as A1111's idle state (job "", job_count 0,
     * job_timestamp "0", counters 0). {@code skip_current_image=true} leaves the preview out, as in A1111.
     */
    @GetMapping("/progress")
    public Map<String, Object> progress(@RequestParam(name = "force_task_id", required = false) String taskId,
                                        @RequestParam(name = "skip_current_image", defaultValue = "false") boolean skipCurrentImage,
                                        HttpServletRequest http) {
        String user = Callers.of(http);
        var generation = taskId != null
                ? generations.find(taskId).filter(g -> g.user().equals(user))
                : generations.currentOf(user);
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("skipped", false);
        state.put("interrupted", false);
        state.put("stopping_generation", false);
        Map<String, Object> out = new LinkedHashMap<>();
        if (generation.isEmpty()) {
            state.put("job", "");
            state.put("job_count", 0);
            state.put("job_timestamp", "0");
            state.put("job_no", 0);
            state.put("sampling_step", 0);
            state.put("sampling_steps", 0);
            out.put("progress", 0.0);
            out.put("eta_relative", 0.0);
        } else {
            Generation g = generation.get();
            int images = g.parameters().imageCount();
            double fraction = g.totalSteps() == 0 ? 0 : (double) g.step() / g.totalSteps();
            double progress = Math.min(1.0, ((double) g.imagesDone() + fraction * g.parameters().batch().size()) / images);
            state.put("interrupted", g.state() == Generation.State.CANCELLED);
            state.put("job", g.id());
            state.put("job_count", g.parameters().batch().count());
            state.put("job_timestamp", JOB_TIMESTAMP.format(g.acceptedAt()));
            state.put("job_no", g.imagesDone() / Math.max(1, g.parameters().batch().size()));
            state.put("sampling_step", g.step());
            state.put("sampling_steps", g.totalSteps());
            out.put("progress", g.state() == Generation.State.FINISHED ? 1.0 : progress);
            out.put("eta_relative", g.etaSeconds());
        }
        out.put("state", state);
        out.put("current_image", skipCurrentImage ? null : generation.map(Generation::preview).orElse(null));
        out.put("textinfo", null);
        return out;
    }

    private static HttpHeaders ignoredFieldsHeader(A1111Request request) {
        if (!request.ignoredFields().isEmpty()) {
            log.debug("ignored fields: {}", request.ignoredFields());
        }
        return IgnoredFields.header(request.ignoredFields());
    }

    /** A1111's job_timestamp: the job's start as yyyyMMddHHmmss (local time there; UTC here). */
    private static final DateTimeFormatter JOB_TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
}
