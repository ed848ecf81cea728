package io.sdfleet.gateway.ops;

import io.sdfleet.contracts.Messaging;
import io.sdfleet.messaging.Tracing;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gives every HTTP request a trace id: the caller's {@value Messaging#REQUEST_ID_HTTP_HEADER} when it is a sane token,
 * else the trace-id of a W3C {@code traceparent}, else a new one (32 hex digits, like a W3C trace-id). It is returned
 * in the {@value Messaging#REQUEST_ID_HTTP_HEADER} response header, kept as request attribute {@link #ATTRIBUTE}, and
 * put in the SLF4J MDC ({@code trace}) while the request is handled, from where {@link Tracing} copies it onto every
 * AMQP message sent meanwhile (the generation request on the requests queue, cancels, skips).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class TraceFilter extends OncePerRequestFilter {

    /** Request attribute holding the trace id. */
    public static final String ATTRIBUTE = "sdfleet.trace";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern TRACEPARENT =
            Pattern.compile("^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}.*$");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String trace = traceOf(request.getHeader(Messaging.REQUEST_ID_HTTP_HEADER), request.getHeader("traceparent"));
        request.setAttribute(ATTRIBUTE, trace);
        response.setHeader(Messaging.REQUEST_ID_HTTP_HEADER, trace);
        try (Tracing.Scope ignored = Tracing.open(trace)) {
            chain.doFilter(request, response);
        }
    }

    /** The caller's request id, else the traceparent's trace-id, else a new id. */
    static String traceOf(String requestId, String traceparent) {
        if (requestId != null && SAFE.matcher(requestId.trim()).matches()) {
            return requestId.trim();
        }
        if (traceparent != null) {
            Matcher m = TRACEPARENT.matcher(traceparent.trim());
            if (m.matches() && !m.group(1).chars().allMatch(c -> c == '0')) {
                return m.group(1);
            }
        }
        return UUID.randomUUID().toString().replace("-", "");
    }

    /** The trace id of an HTTP request (null outside {@link TraceFilter}). */
    public static String of(HttpServletRequest request) {
        Object value = request.getAttribute(ATTRIBUTE);
        return value == null ? null : value.toString();
    }
}
