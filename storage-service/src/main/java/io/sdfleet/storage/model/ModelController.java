package io.sdfleet.storage.model;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Internal HTTP API of the model registry. {@code POST /internal/models?kind=&name=} takes the raw file as the
 * request body (any content type, streamed: never buffered whole) and answers 201 with the new entry, 200 with the
 * existing one when those bytes were uploaded before, 409 when the name is taken by other bytes, 400 for a bad kind
 * or name. Models are addressed by their sha256.
 */
@RestController
public class ModelController {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final ModelStore store;

    public ModelController(ModelStore store) {
        this.store = store;
    }

    @PostMapping("/internal/models")
    public ResponseEntity<StoredModel> upload(@RequestParam String kind, @RequestParam String name,
                                              @RequestParam(required = false) String uploadedBy,
                                              HttpServletRequest request) throws IOException {
        ModelKind k = ModelKind.of(kind);
        ModelNames.check(k, name); // refuse before reading a byte
        try (InputStream body = request.getInputStream()) {
            ModelStore.Stored stored = store.upload(k, name, body, uploadedBy);
            return ResponseEntity.status(stored.created() ? HttpStatus.CREATED : HttpStatus.OK).body(stored.model());
        }
    }

    @GetMapping("/internal/models")
    public List<StoredModel> list(@RequestParam(required = false) String kind,
                                  @RequestParam(required = false) String name) {
        Optional<ModelKind> k = kind == null || kind.isBlank() ? Optional.empty() : Optional.of(ModelKind.of(kind));
        List<StoredModel> all = store.list(k);
        return name == null ? all : all.stream().filter(m -> m.name().equals(name)).toList();
    }

    @GetMapping("/internal/models/{sha256}")
    public ResponseEntity<StoredModel> get(@PathVariable String sha256) {
        return find(sha256).map(ResponseEntity::ok).orElse(ResponseEntity.notFound().build());
    }

    /** The file's bytes, streamed from S3 to the caller; X-Sdfleet-Sha256 says what they must hash to. */
    @GetMapping("/internal/models/{sha256}/content")
    public void content(@PathVariable String sha256, HttpServletResponse response) throws IOException {
        Optional<StoredModel> model = find(sha256);
        if (model.isEmpty()) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        StoredModel m = model.get();
        try (ResponseInputStream<GetObjectResponse> in = store.open(m)) {
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType("application/octet-stream");
            Long length = in.response().contentLength();
            if (length != null) {
                response.setContentLengthLong(length);
            }
            response.setHeader("X-Sdfleet-Sha256", m.sha256());
            response.setHeader("Content-Disposition", "attachment; filename=\"" + m.name() + "\"");
            OutputStream out = response.getOutputStream();
            in.transferTo(out);
            out.flush();
        }
    }

    @DeleteMapping("/internal/models/{sha256}")
    public ResponseEntity<Void> delete(@PathVariable String sha256) {
        return SHA256.matcher(sha256).matches() && store.delete(sha256)
                ? ResponseEntity.noContent().build() : ResponseEntity.notFound().build();
    }

    private Optional<StoredModel> find(String sha256) {
        return SHA256.matcher(sha256).matches() ? store.find(sha256) : Optional.empty();
    }

    @ExceptionHandler(ModelStore.NameTakenException.class)
    public ProblemDetail conflict(ModelStore.NameTakenException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    }
}
