package io.sdfleet.storage.ops;

import io.sdfleet.contracts.Messaging;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.regex.Pattern;

/**
 * Requests from workers and the gateway carry the trace id of the generation they belong to in
 * {@value Messaging#REQUEST_ID_HTTP_HEADER}: it goes into the SLF4J MDC as {@code trace} while the request is handled,
 * so storage-service's log lines show it, and back in the response header.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class TraceFilter extends OncePerRequestFilter {

    public static final String MDC_KEY = "trace";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String trace = request.getHeader(Messaging.REQUEST_ID_HTTP_HEADER);
        if (trace == null || !SAFE.matcher(trace).matches()) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader(Messaging.REQUEST_ID_HTTP_HEADER, trace);
        MDC.put(MDC_KEY, trace);
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove(MDC_KEY);
        }
    }
}
