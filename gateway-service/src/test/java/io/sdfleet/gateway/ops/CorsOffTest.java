package io.sdfleet.gateway.ops;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** With neither setting (the default) the filter does nothing: a preflight goes on to authentication as before. */
class CorsOffTest {

    @Test
    void withoutSettingsNothingChanges() throws Exception {
        Cors cors = new Cors(new Cors.Settings(List.of(" ", ""), " "));
        MockHttpServletRequest preflight = new MockHttpServletRequest("OPTIONS", "/sdapi/v1/txt2img");
        preflight.addHeader("Origin", "http://anywhere.example");
        preflight.addHeader("Access-Control-Request-Method", "POST");
        MockHttpServletResponse response = new MockHttpServletResponse();
        MockFilterChain chain = new MockFilterChain();
        cors.doFilter(preflight, response, chain);
        assertThat(chain.getRequest()).as("passed on").isSameAs(preflight);
        assertThat(response.getHeaderNames()).isEmpty();
    }

    @Test
    void anyOriginIsStarlettesStarUnlessCookiesAreSent() throws Exception {
        Cors cors = new Cors(new Cors.Settings(List.of("*"), null));
        MockHttpServletRequest get = new MockHttpServletRequest("GET", "/sdapi/v1/options");
        get.addHeader("Origin", "http://anywhere.example");
        MockHttpServletResponse response = new MockHttpServletResponse();
        cors.doFilter(get, response, new MockFilterChain());
        assertThat(response.getHeader("Access-Control-Allow-Origin")).isEqualTo("*");
        get.addHeader("Cookie", "a=b");
        MockHttpServletResponse withCookie = new MockHttpServletResponse();
        cors.doFilter(get, withCookie, new MockFilterChain());
        assertThat(withCookie.getHeader("Access-Control-Allow-Origin")).isEqualTo("http://anywhere.example");
        assertThat(withCookie.getHeader("Vary")).isEqualTo("Origin");
    }
}
