package io.sdfleet.internal.trace;

import io.sdfleet.contracts.Messaging;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gives an HTTP request its trace id: the caller's {@value Messaging#REQUEST_ID_HTTP_HEADER} when it is a sane token;
 * at the fleet's edge ({@link #atTheEdge()}, the gateway) else the trace-id of a W3C {@code traceparent}, else a new
 * one (32 hex digits, like a W3C trace-id). Inside the fleet ({@link #inside()}, storage-service) a request without a
 * sane id of its caller's goes untraced. A traced request gets its id back in the
 * {@value Messaging#REQUEST_ID_HTTP_HEADER} response header, as request attribute {@link #ATTRIBUTE}, and in the
 * SLF4J MDC ({@value Messaging#TRACE_MDC_KEY}) while it is handled, from where the services copy it onto the messages
 * and calls it causes. First of the filters, so that everything after it, refusals included, is traced.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
public final class TraceFilter extends OncePerRequestFilter {

    /** Request attribute holding the trace id. */
    public static final String ATTRIBUTE = "sdfleet.trace";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern TRACEPARENT =
            Pattern.compile("^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}.*$");

    /** Whether this filter starts traces (the fleet's edge) or only follows its callers' (inside the fleet). */
    private final boolean startsTraces;

    private TraceFilter(boolean startsTraces) {
        this.startsTraces = startsTraces;
    }

    /** For the service callers outside the fleet reach: every request gets a trace id. */
    public static TraceFilter atTheEdge() {
        return new TraceFilter(true);
    }

    /** For a service only the fleet calls: a request is traced when its caller sent a trace id. */
    public static TraceFilter inside() {
        return new TraceFilter(false);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String requestId = request.getHeader(Messaging.REQUEST_ID_HTTP_HEADER);
        String trace = startsTraces ? traceOf(requestId, request.getHeader("traceparent")) : callersId(requestId);
        if (trace == null) {
            chain.doFilter(request, response);
            return;
        }
        request.setAttribute(ATTRIBUTE, trace);
        response.setHeader(Messaging.REQUEST_ID_HTTP_HEADER, trace);
        String previous = MDC.get(Messaging.TRACE_MDC_KEY);
        MDC.put(Messaging.TRACE_MDC_KEY, trace);
        try {
            chain.doFilter(request, response);
        } finally {
            if (previous == null) {
                MDC.remove(Messaging.TRACE_MDC_KEY);
            } else {
                MDC.put(Messaging.TRACE_MDC_KEY, previous);
            }
        }
    }

    /** The caller's request id, else the traceparent's trace-id, else a new id. */
    static String traceOf(String requestId, String traceparent) {
        String callers = callersId(requestId);
        if (callers != null) {
            return callers;
        }
        if (traceparent != null) {
            Matcher m = TRACEPARENT.matcher(traceparent.trim());
            if (m.matches() && !m.group(1).chars().allMatch(c -> c == '0')) {
                return m.group(1);
            }
        }
        return UUID.randomUUID().toString().replace("-", "");
    }

    /** The caller's request id when it is a sane token, else null. */
    private static String callersId(String requestId) {
        return requestId != null && SAFE.matcher(requestId.trim()).matches() ? requestId.trim() : null;
    }
}
