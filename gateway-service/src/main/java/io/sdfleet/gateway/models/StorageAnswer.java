package io.sdfleet.gateway.models;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** What storage-service answered to a model call, relayed to the gateway's caller as it came. */
public record StorageAnswer(int status, String contentType, String body) {

    static StorageAnswer of(ClientHttpResponse response) throws IOException {
        String type = response.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
        return new StorageAnswer(response.getStatusCode().value(), type == null ? MediaType.APPLICATION_JSON_VALUE : type,
                new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8));
    }
}
