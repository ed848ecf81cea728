package io.sdfleet.storageclient;

import io.sdfleet.contracts.Messaging;
import io.sdfleet.internal.InternalCredential;
import io.sdfleet.messaging.Tracing;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Calls to storage-service, each signed with the fleet's internal credential (storage refuses anyone else). A call
 * has its own timeout (none where a transfer may take long: uploads, model downloads); connecting gives up after
 * {@link #CONNECT_TIMEOUT}. Redirects are not followed. Every answer reaches the caller as it came (no status counts
 * as an error here), and a failed exchange throws the I/O exception under it, so that callers tell an unreachable
 * storage (connection refused, timeout) from one that answered.
 */
public final class StorageServiceClient {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration NO_TIMEOUT = Duration.ZERO;

    private final String base;
    private final InternalCredential credential;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    /** The request factory carries the timeout, so there is one RestClient per timeout in use (a handful). */
    private final Map<Duration, RestClient> byTimeout = new ConcurrentHashMap<>();

    /** {@code baseUrl} null: no storage-service (see {@link #configured()}). */
    public StorageServiceClient(String baseUrl, InternalCredential credential) {
        this.base = baseUrl == null ? null : baseUrl.replaceAll("/+$", "");
        this.credential = credential;
    }

    /** Whether there is a storage-service to call. */
    public boolean configured() {
        return base != null;
    }

    /** The address of {@code pathAndQuery} (already encoded), for messages. */
    public URI uri(String pathAndQuery) {
        return URI.create(base + pathAndQuery);
    }

    /** A signed call; {@code timeout} null: none. */
    public RestClient.RequestBodySpec call(HttpMethod method, String pathAndQuery, Duration timeout) {
        return restClient(timeout == null ? NO_TIMEOUT : timeout).method(method).uri(uri(pathAndQuery))
                .header(HttpHeaders.AUTHORIZATION, credential.authorizationHeader());
    }

    /** A signed call that also carries the trace id of the work at hand (storage logs it and sends it back). */
    public RestClient.RequestBodySpec tracedCall(HttpMethod method, String pathAndQuery, Duration timeout) {
        RestClient.RequestBodySpec call = call(method, pathAndQuery, timeout);
        String trace = Tracing.current();
        return trace == null ? call : call.header(Messaging.REQUEST_ID_HTTP_HEADER, trace);
    }

    /**
     * Sends the call and reads its answer with {@code answer}; the I/O exception under a failed exchange is thrown
     * as itself (an interrupted one as {@link InterruptedException}).
     */
    public static <T> T exchange(RestClient.RequestHeadersSpec<?> call,
                                 RestClient.RequestHeadersSpec.ExchangeFunction<T> answer)
            throws IOException, InterruptedException {
        try {
            return call.exchange(answer);
        } catch (ResourceAccessException e) {
            if (!(e.getCause() instanceof IOException io)) {
                throw e;
            }
            if (io.getCause() instanceof InterruptedException interrupted) { // Spring's wrapping of an interrupt
                throw interrupted;
            }
            throw io;
        }
    }

    private RestClient restClient(Duration timeout) {
        return byTimeout.computeIfAbsent(timeout, t -> {
            JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(http);
            if (!t.isZero()) {
                factory.setReadTimeout(t);
            }
            return RestClient.builder().requestFactory(factory).build();
        });
    }
}
