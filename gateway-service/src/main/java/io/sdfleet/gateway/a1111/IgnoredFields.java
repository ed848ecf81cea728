package io.sdfleet.gateway.a1111;

import org.springframework.http.HttpHeaders;

import java.util.List;

/**
 * The {@value #HEADER} response header: the fields and settings a request carried that A1111 ignores too, so a
 * client can see they were not used. The names come from the caller, so only a bounded, safe spelling goes out.
 */
final class IgnoredFields {

    static final String HEADER = "X-Sdfleet-Ignored-Fields";
    private static final int MAX_NAMES = 32;
    private static final int MAX_NAME_LENGTH = 64;

    private IgnoredFields() {
    }

    static HttpHeaders header(List<String> ignored) {
        HttpHeaders headers = new HttpHeaders();
        if (ignored.isEmpty()) {
            return headers;
        }
        List<String> names = ignored.stream().limit(MAX_NAMES)
                .map(n -> n.length() > MAX_NAME_LENGTH ? n.substring(0, MAX_NAME_LENGTH) : n)
                .map(n -> n.replaceAll("[^A-Za-z0-9_.\\-]", "?")).toList();
        headers.set(HEADER, String.join(", ", names) + (ignored.size() > names.size() ? ", ..." : ""));
        return headers;
    }
}
