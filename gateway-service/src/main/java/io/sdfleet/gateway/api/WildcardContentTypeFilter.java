package io.sdfleet.gateway.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * Answers 415 problem+json to a request whose Content-Type is a wildcard ({@code *}{@code /*}, {@code application/*}).
 * Spring MVC rejects such a header with an IllegalArgumentException while reading the body (HttpHeaders refuses a
 * wildcard Content-Type), which would otherwise surface as a 500.
 */
@Component
public class WildcardContentTypeFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getContentType();
        if (header != null && isWildcard(header)) {
            FilterProblems.write(response, HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type must name one media type, not a wildcard", null, null);
            return;
        }
        chain.doFilter(request, response);
    }

    static boolean isWildcard(String header) {
        try {
            MediaType type = MediaType.parseMediaType(header);
            return type.isWildcardType() || type.isWildcardSubtype();
        } catch (InvalidMediaTypeException e) {
            return false; // Spring MVC answers these 415 itself
        }
    }
}
