package io.sdfleet.internal;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InternalCredentialTest {

    private static final String TOKEN = "a".repeat(16) + "b".repeat(16);

    @Test
    void refusesMissingAndShortTokensNamingTheVariable() {
        assertThatThrownBy(() -> InternalCredential.of(null)).hasMessageContaining("SDFLEET_INTERNAL_TOKEN");
        assertThatThrownBy(() -> InternalCredential.of("  ")).hasMessageContaining("not set");
        assertThatThrownBy(() -> InternalCredential.of("x".repeat(31))).hasMessageContaining("31 characters");
        assertThatThrownBy(() -> InternalCredential.of(TOKEN, List.of("short"))).hasMessageContaining("accepted-tokens");
    }

    @Test
    void acceptsOnlyTheExactTokenAsBearer() {
        InternalCredential credential = InternalCredential.of(TOKEN);
        assertThat(credential.isPresentedBy("Bearer " + TOKEN)).isTrue();
        assertThat(credential.isPresentedBy("bearer " + TOKEN)).isTrue(); // the scheme is case-insensitive (RFC 9110)
        assertThat(credential.isPresentedBy(credential.authorizationHeader())).isTrue();
        assertThat(credential.isPresentedBy(null)).isFalse();
        assertThat(credential.isPresentedBy(TOKEN)).isFalse();
        assertThat(credential.isPresentedBy("Basic " + TOKEN)).isFalse();
        assertThat(credential.isPresentedBy("Bearer " + TOKEN.toUpperCase())).isFalse();
        assertThat(credential.isPresentedBy("Bearer " + TOKEN.substring(1))).isFalse();
        assertThat(credential.isPresentedBy("Bearer " + TOKEN + "x")).isFalse();
        assertThat(credential.isPresentedBy("Bearer ")).isFalse();
    }

    @Test
    void rotationAcceptsTheOtherTokenButSendsItsOwn() {
        String next = InternalCredential.generate();
        InternalCredential credential = InternalCredential.of(TOKEN, List.of(next, ""));
        assertThat(credential.isPresentedBy("Bearer " + next)).isTrue();
        assertThat(credential.isPresentedBy("Bearer " + TOKEN)).isTrue();
        assertThat(credential.authorizationHeader()).isEqualTo("Bearer " + TOKEN);
    }

    @Test
    void generatedTokensAreLongEnoughAndDiffer() {
        String one = InternalCredential.generate();
        assertThat(one.length()).isGreaterThanOrEqualTo(InternalCredential.MIN_LENGTH);
        assertThat(one).isNotEqualTo(InternalCredential.generate()).matches("[A-Za-z0-9_-]+");
        assertThat(InternalCredential.of(one).toString()).doesNotContain(one);
    }
}
