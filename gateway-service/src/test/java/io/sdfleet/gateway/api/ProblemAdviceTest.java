package io.sdfleet.gateway.api;

import io.sdfleet.gateway.a1111.NoCheckpointException;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Fuzz findings outside request parsing: answers that were 500s or not problem+json. */
class ProblemAdviceTest {

    private final ProblemAdvice advice = new ProblemAdvice();

    /** Fuzz finding: a text/plain body got Boot's plain JSON error, not problem+json. */
    @Test
    void springsOwnRefusalsKeepTheirStatusAsProblems() {
        ResponseEntity<ProblemDetail> answer = advice.other(
                new HttpMediaTypeNotSupportedException(MediaType.TEXT_PLAIN, List.of(MediaType.APPLICATION_JSON)));
        assertThat(answer.getStatusCode().value()).isEqualTo(415);
        assertThat(answer.getBody().getStatus()).isEqualTo(415);
    }

    @Test
    void anythingUnexpectedIsA500ProblemWithoutInternals() {
        ResponseEntity<ProblemDetail> answer = advice.other(new IllegalStateException("secret internals"));
        assertThat(answer.getStatusCode().value()).isEqualTo(500);
        assertThat(answer.getBody().getDetail()).doesNotContain("secret");
    }

    @Test
    void noCheckpointIsA503ProblemSayingWhatToDo() {
        ResponseEntity<ProblemDetail> answer = advice.noCheckpoint(new NoCheckpointException());
        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getBody().getDetail()).contains("models folder", "refresh-checkpoints");
    }

    /** Fuzz finding: an undecodable form body (or one over maxPostSize) escaped from Tomcat's parameter parsing. */
    @Test
    void unreadableFormBodiesAre400Or413() {
        assertThat(advice.unreadableForm(new InvalidParameterException("Character decoding failed")).getStatus())
                .isEqualTo(400);
        assertThat(advice.unreadableForm(new InvalidParameterException("too big", 413)).getStatus()).isEqualTo(413);
    }

    /** Fuzz finding: Content-Type: *&#47;* made HttpHeaders throw IllegalArgumentException while reading the body. */
    @Test
    void wildcardContentTypesAre415Problems() throws Exception {
        for (String type : List.of("*/*", "application/*", "application/*+json")) {
            MockHttpServletRequest request = new MockHttpServletRequest("POST", "/sdapi/v1/txt2img");
            request.setContentType(type);
            MockHttpServletResponse response = new MockHttpServletResponse();
            MockFilterChain chain = new MockFilterChain();
            new WildcardContentTypeFilter().doFilter(request, response, chain);
            assertThat(response.getStatus()).as(type).isEqualTo(415);
            assertThat(response.getContentType()).isEqualTo("application/problem+json");
            assertThat(chain.getRequest()).isNull();
        }
        MockHttpServletRequest json = new MockHttpServletRequest("POST", "/sdapi/v1/txt2img");
        json.setContentType("application/json");
        MockFilterChain chain = new MockFilterChain();
        new WildcardContentTypeFilter().doFilter(json, new MockHttpServletResponse(), chain);
        assertThat(chain.getRequest()).isNotNull();
    }

    /** A required query parameter left out: 400 naming it in {@code errors}, as every other bad field. */
    @Test
    void aMissingParameterIsA400NamingIt() {
        ProblemDetail problem = advice.missingParameter(new MissingServletRequestParameterException("kind", "String"));
        assertThat(problem.getStatus()).isEqualTo(400);
        assertThat(problem.getProperties().get("errors")).isEqualTo(List.of(Map.of("field", "kind", "message", "required")));
    }
}
