package io.sdfleet.gateway.a1111;

import io.sdfleet.diffusion.image.PngFiles;
import io.sdfleet.gateway.GatewayProperties;
import io.sdfleet.gateway.api.Callers;
import io.sdfleet.gateway.auth.Caller;
import io.sdfleet.gateway.auth.UsageLimits;
import io.sdfleet.gateway.generation.Generation;
import io.sdfleet.gateway.generation.Generations;
import io.sdfleet.gateway.generation.StorageReader;
import io.sdfleet.gateway.generation.Workers;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A1111's extras ({@code /extra-single-image}, {@code /extra-batch-images}: upscaling and face restoration of given
 * images) as fleet work: the request is queued like a generation (owned by the caller, fair-shared, one job per
 * image, images stored) and answered once its images are stored, in A1111's shapes {@code {html_info, image}} and
 * {@code {html_info, images}}; {@code html_info} is the extras infotext as A1111's {@code plaintext_to_html} writes
 * it (of the last image, as A1111 answers a batch). And {@code /interrogate} (CLIP / DeepDanbooru captions), which the
 * fleet has no model for: 422 naming {@code model}.
 */
@RestController
@RequestMapping("/sdapi/v1")
public class A1111ExtrasController {

    private final Generations generations;
    private final StorageReader storage;
    private final ModelCatalog models;
    private final JsonMapper json;
    private final GatewayProperties properties;
    private final Workers workers;
    private final UsageLimits limits;
    private final RequestLimits requestLimits;

    public A1111ExtrasController(Generations generations, StorageReader storage, ModelCatalog models, JsonMapper json,
                                 GatewayProperties properties, Workers workers, UsageLimits limits,
                                 RequestLimits requestLimits) {
        this.generations = generations;
        this.storage = storage;
        this.models = models;
        this.json = json;
        this.properties = properties;
        this.workers = workers;
        this.limits = limits;
        this.requestLimits = requestLimits;
    }

    @PostMapping("/extra-single-image")
    public CompletableFuture<ResponseEntity<JsonNode>> extraSingleImage(@RequestBody JsonNode body,
                                                                        HttpServletRequest http) {
        return run(A1111ExtrasRequest.parse(body, A1111ExtrasRequest.Kind.SINGLE, requestLimits, models), http, true);
    }

    @PostMapping("/extra-batch-images")
    public CompletableFuture<ResponseEntity<JsonNode>> extraBatchImages(@RequestBody JsonNode body,
                                                                        HttpServletRequest http) {
        return run(A1111ExtrasRequest.parse(body, A1111ExtrasRequest.Kind.BATCH, requestLimits, models), http, false);
    }

    @PostMapping("/interrogate")
    public Object interrogate(@RequestBody JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidRequestException(List.of(new FieldProblem("body", "a JSON object is required")), false);
        }
        String model = body.path("model").isString() ? body.path("model").asString() : "clip";
        throw new InvalidRequestException(List.of(new FieldProblem("model",
                "interrogator '" + model + "' is not available in this fleet (no CLIP or DeepDanbooru interrogator yet)")), true);
    }

    private CompletableFuture<ResponseEntity<JsonNode>> run(A1111ExtrasRequest request, HttpServletRequest http,
                                                            boolean single) {
        if (!workers.anyCanTakeJobs()) {
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
                        error.put("detail", done.error() == null ? "extras " + done.state().name().toLowerCase() : done.error());
                        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
                                .headers(IgnoredFields.header(request.ignoredFields())).body((JsonNode) error);
                    }
                    List<byte[]> pngs = new ArrayList<>();
                    for (int index : done.storedIndexes()) {
                        pngs.add(storage.png(done.id(), index).orElseThrow(() -> new IllegalStateException(
                                "storage has no image " + index + " of " + done.id() + ", stored by its events")));
                    }
                    return ResponseEntity.ok().headers(IgnoredFields.header(request.ignoredFields()))
                            .body((JsonNode) response(pngs, single));
                })
                .exceptionally(failure -> {
                    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                    if (!(cause instanceof TimeoutException)) {
                        throw failure instanceof CompletionException c ? c : new CompletionException(failure);
                    }
                    ObjectNode problem = json.createObjectNode();
                    problem.put("type", "about:blank");
                    problem.put("title", "Gateway Timeout");
                    problem.put("status", 504);
                    problem.put("detail", "the extras did not finish within " + properties.syncTimeoutSeconds()
                            + " s; they go on: follow them at /api/v1/generations/" + generation.id());
                    problem.put("id", generation.id());
                    return ResponseEntity.status(HttpStatus.GATEWAY_TIMEOUT)
                            .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                            .headers(IgnoredFields.header(request.ignoredFields())).body((JsonNode) problem);
                });
    }

    /** {@code ExtrasSingleImageResponse} or {@code ExtrasBatchImagesResponse}. */
    private ObjectNode response(List<byte[]> pngs, boolean single) {
        ObjectNode out = json.createObjectNode();
        String infotext = pngs.isEmpty() ? "" : PngFiles.readText(pngs.getLast()).getOrDefault("postprocessing", "");
        out.put("html_info", plaintextToHtml(infotext));
        if (single) {
            out.put("image", pngs.isEmpty() ? null : Base64.getEncoder().encodeToString(pngs.getFirst()));
        } else {
            ArrayNode images = out.putArray("images");
            pngs.forEach(png -> images.add(Base64.getEncoder().encodeToString(png)));
        }
        return out;
    }

    /** A1111's {@code ui_common.plaintext_to_html}: each line html-escaped, joined by {@code <br>\n}, in a {@code <p>}. */
    static String plaintextToHtml(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            lines.add(line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    .replace("\"", "&quot;").replace("'", "&#x27;"));
        }
        return "<p>" + String.join("<br>\n", lines) + "</p>";
    }
}
