package io.sdfleet.launcher;

import com.sun.net.httpserver.HttpServer;
import io.sdfleet.gateway.auth.Secrets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Another site's page calling the fleet from a real browser (Debian's Chromium, headless, as in
 * {@link WebPageEndToEndTest}), authentication on and CORS allowing that page's origin: its {@code fetch}es with JSON
 * and {@code Authorization: Bearer} (which the browser preflights) generate an image, read progress and options, and
 * can read a 401. The same page from an origin not on the list is blocked by the browser, and its txt2img never
 * reaches the gateway. Skipped where Chromium, chromedriver or the reference model is missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CorsBrowserEndToEndTest {

    private static final Path CHROMIUM = Path.of(System.getProperty("sdfleet.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("sdfleet.chromedriver", "/usr/bin/chromedriver"));
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String adminKey = Secrets.newApiKey();
    private final HttpClient http = HttpClient.newHttpClient();
    private HttpServer allowedSite;
    private HttpServer otherSite;
    private TestFleet testFleet;
    private String gateway;
    private ChromeDriver driver;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "CORS browser test skipped: needs " + CHROMIUM + " and " + CHROMEDRIVER
                        + " (Debian: apt-get install chromium chromium-driver)");
        Assumptions.assumeTrue(Files.isRegularFile(TestFleet.reference().resolve("mini_sd15_fp32.safetensors")),
                "CORS browser test skipped: no reference model at " + TestFleet.reference());
        allowedSite = site();
        otherSite = site();
        // the page is served as http://localhost:PORT, the gateway is http://127.0.0.1:PORT: clearly other origins
        testFleet = TestFleet.start(dir, "cors", 1, o -> o.withAdminKey(adminKey),
                Map.of("sdfleet.gateway.cors.allow-origins", origin(allowedSite)));
        gateway = "http://127.0.0.1:" + testFleet.fleet.gatewayPort();
        serve(allowedSite);
        serve(otherSite);

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        driver = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build(), options);
    }

    @AfterAll
    void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        for (HttpServer s : new HttpServer[]{allowedSite, otherSite}) {
            if (s != null) {
                s.stop(0);
            }
        }
        if (testFleet != null) {
            testFleet.close();
        }
    }

    @Test
    void aPageFromAnAllowedOriginUsesTheApiAndAnotherOriginIsBlocked() throws Exception {
        JsonNode allowed = runPage(allowedSite);
        assertThat(allowed.path("error").isMissingNode()).as("no failure: %s", allowed).isTrue();
        assertThat(allowed.path("txt2img").path("status").asInt()).isEqualTo(200);
        assertThat(allowed.path("txt2img").path("images").asInt()).as("one image, base64 PNG").isEqualTo(1);
        assertThat(allowed.path("txt2img").path("png").asBoolean()).isTrue();
        assertThat(allowed.path("progress").path("status").asInt()).isEqualTo(200);
        assertThat(allowed.path("progress").path("has_progress").asBoolean()).isTrue();
        assertThat(allowed.path("options").path("status").asInt()).isEqualTo(200);
        assertThat(allowed.path("options").path("model").asString()).startsWith("mini_sd15_fp32");
        assertThat(allowed.path("unauthorized").path("status").asInt()).as("the page reads its 401").isEqualTo(401);
        assertThat(allowed.path("unauthorized").path("title").asString()).isEqualTo("Unauthorized");
        driver.manage().logs().get(LogType.BROWSER); // the 401 the page asked for is logged; not what follows

        int generations = generationCount();
        JsonNode blocked = runPage(otherSite);
        assertThat(blocked.path("error").asString()).as("fetch rejects: %s", blocked).startsWith("TypeError");
        assertThat(blocked.path("txt2img").isMissingNode()).isTrue();
        List<String> console = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(LogEntry::getMessage).toList();
        assertThat(console).as("the browser says why").anyMatch(m -> m.contains("blocked by CORS policy"));
        assertThat(generationCount()).as("the preflight was refused: the txt2img was never sent").isEqualTo(generations);
    }

    /** Opens the site's page and waits for its script's results. */
    private JsonNode runPage(HttpServer site) throws Exception {
        driver.get(origin(site) + "/");
        new WebDriverWait(driver, Duration.ofSeconds(120))
                .until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-done")));
        return JSON.readTree(driver.findElement(By.id("out")).getText());
    }

    private int generationCount() throws Exception {
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/generations"))
                .header("Authorization", "Bearer " + adminKey).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(list.statusCode()).isEqualTo(200);
        return JSON.readTree(list.body()).size();
    }

    private static HttpServer site() throws Exception {
        return HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    }

    private static String origin(HttpServer site) {
        return "http://localhost:" + site.getAddress().getPort();
    }

    /** Serves the page at / (and nothing else), its script calling the gateway as another site's page would. */
    private void serve(HttpServer site) {
        String page = """
                <!doctype html>
                <html><head><meta charset="utf-8"><title>another site</title></head>
                <body><pre id="out">running</pre>
                <script>
                (async () => {
                  const gateway = "GATEWAY";
                  const auth = {"Authorization": "Bearer KEY"};
                  const results = {};
                  try {
                    const t = await fetch(gateway + "/sdapi/v1/txt2img", {method: "POST",
                        headers: {...auth, "Content-Type": "application/json"},
                        body: JSON.stringify({prompt: "a lighthouse at dusk", steps: 2, width: 64, height: 64})});
                    const tj = await t.json();
                    const images = tj.images || [];
                    results.txt2img = {status: t.status, images: images.length,
                        png: images.length > 0 && atob(images[0]).startsWith("\\x89PNG")};
                    const p = await fetch(gateway + "/sdapi/v1/progress", {headers: auth});
                    results.progress = {status: p.status, has_progress: "progress" in await p.json()};
                    const o = await fetch(gateway + "/sdapi/v1/options", {headers: auth});
                    results.options = {status: o.status, model: (await o.json()).sd_model_checkpoint};
                    const u = await fetch(gateway + "/sdapi/v1/options");
                    results.unauthorized = {status: u.status, title: (await u.json()).title};
                  } catch (e) {
                    results.error = e.name + ": " + e.message;
                  }
                  document.getElementById("out").textContent = JSON.stringify(results);
                  document.body.dataset.done = "true";
                })();
                </script></body></html>
                """.replace("GATEWAY", gateway).replace("KEY", adminKey);
        byte[] body = page.getBytes(StandardCharsets.UTF_8);
        site.createContext("/", exchange -> {
            boolean root = exchange.getRequestURI().getPath().equals("/");
            exchange.getResponseHeaders().set("Content-Type", root ? "text/html; charset=utf-8" : "text/plain");
            exchange.sendResponseHeaders(root ? 200 : 404, root ? body.length : -1);
            if (root) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        site.start();
    }
}
