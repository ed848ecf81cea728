package io.sdfleet.gateway.api;

import io.sdfleet.gateway.a1111.FieldProblem;
import io.sdfleet.gateway.a1111.InvalidRequestException;
import io.sdfleet.gateway.a1111.NoCheckpointException;
import io.sdfleet.gateway.a1111.NoWorkerException;
import io.sdfleet.gateway.auth.LimitExceededException;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MultipartException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Bad requests as RFC 9457 problem+json, naming every bad field in {@code errors}. */
@RestControllerAdvice
public class ProblemAdvice {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    @ExceptionHandler(InvalidRequestException.class)
    public ProblemDetail invalid(InvalidRequestException e) {
        HttpStatus status = e.unsupported() ? HttpStatus.UNPROCESSABLE_CONTENT : HttpStatus.BAD_REQUEST;
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        problem.setTitle(e.unsupported() ? "Feature not supported yet" : "Invalid request");
        problem.setProperty("errors", errors(e.problems()));
        return problem;
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    public ProblemDetail unreadable(HttpMessageNotReadableException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RequestBodyLimit.BodyTooLargeException tooLarge) {
                return tooLarge(tooLarge);
            }
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "body: not valid JSON");
        problem.setTitle("Invalid request");
        problem.setProperty("errors", List.of(Map.of("field", "body", "message", "not valid JSON")));
        return problem;
    }

    /** A body read past {@code max-request-body-bytes} (one without a Content-Length saying so beforehand). */
    @ExceptionHandler(RequestBodyLimit.BodyTooLargeException.class)
    public ProblemDetail tooLarge(RequestBodyLimit.BodyTooLargeException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE,
                "the request body is larger than " + e.maxBytes() + " bytes");
        problem.setTitle("Content Too Large");
        problem.setProperty("errors", List.of(Map.of("field", "body", "message", "larger than " + e.maxBytes() + " bytes")));
        return problem;
    }

    /**
     * A service the gateway relies on (storage-service) cannot be reached: 503 with Retry-After, logged as a warning
     * (an outage elsewhere, not a bug here; its own health says more).
     */
    @ExceptionHandler({ConnectException.class, HttpTimeoutException.class})
    public ResponseEntity<ProblemDetail> unavailable(IOException e) {
        log.warn("a service the gateway relies on is unreachable: {}", e.toString());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "a fleet service is unreachable; try again shortly");
        problem.setTitle("Service Unavailable");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "5").body(problem);
    }

    /** The same, from a client that carries the I/O failure unchecked ({@code StorageReader}). */
    @ExceptionHandler(UncheckedIOException.class)
    public ResponseEntity<ProblemDetail> unavailable(UncheckedIOException e) {
        if (e.getCause() instanceof ConnectException || e.getCause() instanceof HttpTimeoutException) {
            return unavailable(e.getCause());
        }
        return other(e);
    }

    /** No worker can take a synchronous A1111 request now: 503 at once rather than a call held for an hour. */
    @ExceptionHandler(NoWorkerException.class)
    public ResponseEntity<ProblemDetail> noWorker(NoWorkerException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
        problem.setTitle("Service Unavailable");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header("Retry-After", String.valueOf(NoWorkerException.RETRY_AFTER_SECONDS))
                .body(problem);
    }

    /** A fresh deployment without a checkpoint: 503 with what to do, not a job that can only fail on a worker. */
    @ExceptionHandler(NoCheckpointException.class)
    public ResponseEntity<ProblemDetail> noCheckpoint(NoCheckpointException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
        problem.setTitle("No model");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(problem);
    }

    @ExceptionHandler(LimitExceededException.class)
    public ResponseEntity<ProblemDetail> limited(LimitExceededException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, e.getMessage());
        problem.setTitle("Limit reached: " + e.limit());
        problem.setProperty("limit", e.limit());
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                .header("Retry-After", String.valueOf(e.retryAfterSeconds())).body(problem);
    }

    @ExceptionHandler(ForbiddenException.class)
    public ProblemDetail forbidden(ForbiddenException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, e.getMessage());
        problem.setTitle("Forbidden");
        return problem;
    }

    /** A multipart body that ends early or is malformed: the API takes JSON, so say so. */
    @ExceptionHandler(MultipartException.class)
    public ProblemDetail unreadableMultipart(MultipartException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "body: multipart data cannot be read");
        problem.setTitle("Invalid request");
        problem.setProperty("errors", List.of(Map.of("field", "body", "message", "multipart data cannot be read; send JSON")));
        return problem;
    }

    /** Form bodies Tomcat cannot parse (bad encoding, over maxPostSize); Spring reads them looking for a body. */
    @ExceptionHandler(InvalidParameterException.class)
    public ProblemDetail unreadableForm(InvalidParameterException e) {
        int code = e.getErrorCode() >= 400 && e.getErrorCode() < 500 ? e.getErrorCode() : 400;
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(code), "body: form data cannot be read");
        problem.setTitle("Invalid request");
        problem.setProperty("errors", List.of(Map.of("field", "body", "message", "form data cannot be read; send JSON")));
        return problem;
    }

    /** A query or path parameter of the wrong type ({@code limit=abc}, {@code images/abc}): 400 naming it. */
    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    public ProblemDetail badParameter(MethodArgumentTypeMismatchException e) {
        String type = e.getRequiredType() == null ? "value" : e.getRequiredType().getSimpleName().toLowerCase(Locale.ROOT);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getName() + ": must be a " + type);
        problem.setTitle("Invalid request");
        problem.setProperty("errors", List.of(Map.of("field", e.getName(), "message", "must be a " + type)));
        return problem;
    }

    /** A required query parameter left out ({@code /api/v1/models} upload without {@code kind}): 400 naming it. */
    @ExceptionHandler(MissingServletRequestParameterException.class)
    public ProblemDetail missingParameter(MissingServletRequestParameterException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getParameterName() + ": required");
        problem.setTitle("Invalid request");
        problem.setProperty("errors", List.of(Map.of("field", e.getParameterName(), "message", "required")));
        return problem;
    }

    /**
     * Everything else: Spring MVC's own refusals (415 unsupported Content-Type, 405, 406…) keep their status and
     * become problem+json like ours; anything unexpected is logged and answered 500 without internals.
     */
    @ExceptionHandler(Exception.class)
    public ResponseEntity<ProblemDetail> other(Exception e) {
        if (e instanceof ErrorResponse error) {
            return ResponseEntity.status(error.getStatusCode()).headers(error.getHeaders()).body(error.getBody());
        }
        log.error("unexpected error", e);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, "internal error");
        problem.setTitle("Internal error");
        return ResponseEntity.internalServerError().body(problem);
    }

    private static List<Map<String, String>> errors(List<FieldProblem> problems) {
        return problems.stream().map(p -> Map.of("field", p.field(), "message", p.message())).toList();
    }
}
