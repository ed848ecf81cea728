package io.sdfleet.infra;

/**
 * The fleet's internal credential as the services' own tests configure it (a constant, so that annotations can name
 * it). Deployments and {@code ./sd fleet} use their own secret; nothing outside tests reads this one.
 */
public final class TestInternalToken {

    public static final String VALUE = "sdfleet-tests-internal-token-4f9c2a7e1b";
    /** As a Spring property, for {@code @SpringBootTest(properties = ...)}. */
    public static final String PROPERTY = "sdfleet.internal.token=" + VALUE;
    /** As the {@code Authorization} header value that services send one another. */
    public static final String AUTHORIZATION = "Bearer " + VALUE;

    private TestInternalToken() {
    }
}
