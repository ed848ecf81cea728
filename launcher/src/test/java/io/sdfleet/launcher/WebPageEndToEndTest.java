package io.sdfleet.launcher;

import io.sdfleet.diffusion.image.PngFiles;
import io.sdfleet.diffusion.prompt.PromptChunker;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;
import io.sdfleet.gateway.auth.Secrets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.json.JsonMapper;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web page's acceptance tests: Debian's Chromium, headless, driven by Selenium through Debian's chromedriver,
 * against the whole fleet with authentication on (PostgreSQL, the broker, S3Proxy, a worker on the reference mini
 * model, previews every step). The steps build on each other in one browser session: sign in, a 2×2 batch with live
 * progress and previews, field errors, the gallery and "reuse parameters", inpainting with a painted mask, a PNG
 * dropped on the page, a second user who sees nothing of the first one's, and the page at phone width. Each step
 * saves a screenshot under {@code target/web-screenshots/} and fails on any error in the browser's console.
 *
 * <p>Skipped (with the reason) where {@code /usr/bin/chromium} or {@code /usr/bin/chromedriver} is missing
 * ({@code apt-get install chromium chromium-driver}; {@code .ci/run} installs them) or the reference model is absent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebPageEndToEndTest {

    private static final Path CHROMIUM = Path.of(System.getProperty("sdfleet.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("sdfleet.chromedriver", "/usr/bin/chromedriver"));
    private static final Path SCREENSHOTS = Path.of("target", "web-screenshots");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PROMPT = "a lighthouse at dusk, (dramatic sky:1.2), [fog]";

    private final HttpClient http = HttpClient.newHttpClient();
    private final String adminKey = Secrets.newApiKey();
    private TestFleet testFleet;
    private Fleet fleet;
    private ChromeDriver driver;
    private WebDriverWait wait;
    private String base;
    private Path reference;
    private String aliceKey;
    /**
     * The LoRA/embedding browser asks for /sdapi/v1/loras and /embeddings on every sign-in and degrades gracefully
     * where the gateway answers 404; the browser logs each such 404, whatever the page does with it.
     */
    private static final Pattern LISTS_NOT_HERE = Pattern.compile("/sdapi/v1/(loras|embeddings) .*404");
    private final List<Pattern> expectedConsoleErrors = new ArrayList<>(List.of(LISTS_NOT_HERE));

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "web page tests skipped: needs " + CHROMIUM + " and " + CHROMEDRIVER
                        + " (Debian: apt-get install chromium chromium-driver; .ci/run installs them)");
        reference = TestFleet.reference();
        Assumptions.assumeTrue(Files.isRegularFile(reference.resolve("mini_sd15_fp32.safetensors")),
                "web page tests skipped: no reference model at " + reference);
        Files.createDirectories(SCREENSHOTS);

        // the worker sees the reference's files and, beside them, the SDXL minis with their sidecars (head widths a
        // registry upload does not carry), so the page's SDXL generation runs them from its own folder
        Path workerModels = Files.createDirectories(dir.resolve("worker-models"));
        try (var entries = Files.list(reference)) {
            for (Path entry : entries.toList()) {
                Files.createSymbolicLink(workerModels.resolve(entry.getFileName()), entry);
            }
        }
        for (String mini : List.of("mini_sdxl_base", "mini_sdxl_refiner")) {
            for (String ext : List.of(".safetensors", ".json")) {
                Path file = reference.resolve("sdxl/models/" + mini + ext);
                if (Files.isRegularFile(file)) {
                    Files.createSymbolicLink(workerModels.resolve(mini + ext), file);
                }
            }
        }
        testFleet = TestFleet.start(dir, "web", 1, o -> o.withAdminKey(adminKey)
                .withWorkerModels(workerModels, null)
                .withWorkerProperty("sdfleet.worker.preview-every", 1));
        fleet = testFleet.fleet;
        base = "http://127.0.0.1:" + fleet.gatewayPort();

        // a LoRA in the fleet's registry, so the browser has something to list
        HttpResponse<String> uploaded = http.send(HttpRequest.newBuilder(URI.create(base
                        + "/api/v1/models?kind=lora&name=oracle_lora.safetensors"))
                .header("Authorization", "Bearer " + adminKey).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofFile(reference.resolve("features/extra/oracle_lora.safetensors")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(uploaded.statusCode()).as(uploaded.body()).isIn(200, 201);
        admin("POST", "/api/v1/admin/users", "{\"name\": \"alice\", \"password\": \"alice's long password\"}", 201);
        admin("POST", "/api/v1/admin/users", "{\"name\": \"bob\", \"password\": \"bob's long password\"}", 201);
        aliceKey = JSON.readTree(admin("POST", "/api/v1/admin/users/alice/keys", "{\"label\": \"web\"}", 201))
                .get("key").asString();

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1366,1000", "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        wait = new WebDriverWait(driver, Duration.ofSeconds(60));
    }

    @AfterAll
    void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        if (testFleet != null) {
            testFleet.close();
        }
    }

    /** Any error the page logged (uncaught exceptions, failed requests, console.error) fails the step. */
    @AfterEach
    void noConsoleErrors() {
        List<String> errors = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()
                    && expectedConsoleErrors.stream().noneMatch(p -> p.matcher(entry.getMessage()).find())) {
                errors.add(entry.getMessage());
            }
        }
        expectedConsoleErrors.clear();
        expectedConsoleErrors.add(LISTS_NOT_HERE);
        assertThat(errors).as("errors in the browser console").isEmpty();
    }

    @Test
    @Order(1)
    void signInWithAnApiKey() throws Exception {
        driver.get(base + "/");
        WebElement key = wait.until(d -> visible(By.id("signin-api-key")));
        screenshot("01-sign-in");

        // a wrong key is refused on the page (the 401 it logs is expected)
        expectedConsoleErrors.add(Pattern.compile("/api/v1/me .*401"));
        key.sendKeys("sdf_not-a-key");
        driver.findElement(By.id("signin-submit")).click();
        wait.until(d -> !text(By.id("signin-error")).isEmpty());
        assertThat(text(By.id("signin-error"))).contains("not accepted");
        screenshot("02-sign-in-refused");

        key.clear();
        key.sendKeys(aliceKey);
        driver.findElement(By.id("signin-submit")).click();
        wait.until(d -> "alice".equals(d.findElement(By.id("whoami")).getDomAttribute("data-user")));
        assertThat(js("return sessionStorage.getItem('sdfleet.auth')")).asString().contains("Bearer");
        // the lists come from the API: samplers, schedulers, models
        wait.until(d -> new Select(d.findElement(By.id("sampler_name"))).getOptions().size() > 5);
        assertThat(new Select(driver.findElement(By.id("model"))).getFirstSelectedOption().getText())
                .isEqualTo("mini_sd15_fp32");
        assertThat(new Select(driver.findElement(By.id("scheduler"))).getOptions()).extracting(WebElement::getText)
                .contains("Automatic", "Karras");

        // emphasis highlighting and the exact token counter (the gateway has the fleet's CLIP tokenizer)
        WebElement prompt = driver.findElement(By.id("prompt"));
        prompt.sendKeys(PROMPT + ", <lora:film:0.8>");
        int expected = new PromptChunker(ClipTokenizer.load(reference.resolve("clip-tokenizer"))).tokenize(PROMPT + ", ")
                .tokenCount();
        wait.until(d -> (expected + "/75").equals(text(By.id("prompt-tokens"))));
        assertThat(driver.findElement(By.id("prompt-tokens")).getDomAttribute("data-exact")).isEqualTo("true");
        assertThat(driver.findElements(By.cssSelector("#prompt-highlight mark.up"))).hasSize(1);
        assertThat(driver.findElements(By.cssSelector("#prompt-highlight mark.down"))).hasSize(1);
        assertThat(driver.findElements(By.cssSelector("#prompt-highlight mark.net"))).hasSize(1);
        // the LoRA browser lists the registry's LoRA and inserts it into the prompt
        driver.findElement(By.id("networks-toggle")).click();
        wait.until(d -> !d.findElements(By.cssSelector("#networks-list .chip.lora")).isEmpty());
        driver.findElement(By.cssSelector("#networks-list .chip.lora")).click();
        wait.until(d -> String.valueOf(d.findElement(By.id("prompt")).getDomProperty("value")).contains("<lora:oracle_lora:1>"));
        screenshot("03-signed-in");
    }

    @Test
    @Order(2)
    void aFieldErrorAppearsNextToItsField() {
        setValue("prompt", PROMPT);
        setValue("width", "65");
        expectedConsoleErrors.add(Pattern.compile("/api/v1/generations .*400"));
        driver.findElement(By.id("generate")).click();
        wait.until(d -> !text(By.cssSelector("[data-error-for=width]")).isEmpty());
        assertThat(text(By.cssSelector("[data-error-for=width]"))).contains("multiple of 8");
        assertThat(driver.findElement(By.cssSelector(".field[data-field=width]")).getDomAttribute("class")).contains("invalid");
        screenshot("04-field-error");
        setValue("width", "64");
    }

    @Test
    @Order(3)
    void aTwoByTwoBatchShowsProgressAndPreviewsUntilDone() {
        setValue("prompt", PROMPT);
        setValue("negative_prompt", "blurry");
        setValue("steps", "12");
        setValue("width", "64");
        setValue("height", "64");
        setValue("n_iter", "2");
        setValue("batch_size", "2");
        setValue("seed", "1234");
        driver.findElement(By.id("prompt")).sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER));

        WebElement card = wait.until(d -> d.findElement(By.cssSelector("#jobs .job")));
        TreeSet<Integer> seen = new TreeSet<>();
        boolean midShot = false;
        long deadline = System.currentTimeMillis() + 120_000;
        String state;
        while (!"finished".equals(state = card.getDomAttribute("data-state"))) { // read once: it may change meanwhile
            assertThat(System.currentTimeMillis()).as("the batch finishes").isLessThan(deadline);
            assertThat(state).isIn("queued", "running");
            String progress = card.getDomAttribute("data-progress");
            if (progress != null) {
                seen.add(Integer.parseInt(progress));
                if (!midShot && Integer.parseInt(progress) > 0) {
                    screenshot("05-progress");
                    midShot = true;
                }
            }
            sleep(50);
        }
        assertThat(card.getDomAttribute("data-progress")).isEqualTo("100");
        assertThat(card.findElement(By.cssSelector(".status")).getText()).contains("finished");
        wait.until(d -> card.findElements(By.cssSelector(".thumbs img")).size() == 4
                && card.findElements(By.cssSelector(".thumbs img")).stream().allMatch(i -> i.getDomAttribute("src") != null));
        wait.until(d -> "true".equals(card.getDomAttribute("data-preview")));
        assertThat(card.findElement(By.cssSelector("img.preview")).getDomAttribute("src")).startsWith("data:image/png;base64,");
        assertThat(seen).as("progress values seen on the way").isNotEmpty();
        screenshot("06-batch-finished");
    }

    @Test
    @Order(4)
    void theGalleryOpensAnImageAndReusesItsParameters() {
        driver.findElement(By.id("tab-gallery")).click();
        wait.until(d -> d.findElements(By.cssSelector("#gallery-grid .tile img[src]")).size() == 4);
        setValue("filter-text", "zebra");
        wait.until(d -> "0".equals(d.findElement(By.id("gallery-grid")).getDomAttribute("data-count")));
        setValue("filter-text", "lighthouse");
        wait.until(d -> "4".equals(d.findElement(By.id("gallery-grid")).getDomAttribute("data-count")));
        new Select(driver.findElement(By.id("filter-model"))).selectByVisibleText("mini_sd15_fp32.safetensors");
        wait.until(d -> "4".equals(d.findElement(By.id("gallery-grid")).getDomAttribute("data-count")));
        screenshot("07-gallery");

        setValue("prompt", "");
        setValue("seed", "-1");
        driver.findElements(By.cssSelector("#gallery-grid .tile")).get(1).click();
        wait.until(d -> text(By.id("detail-info")).contains("Seed:"));
        String info = text(By.id("detail-info"));
        assertThat(info).startsWith(PROMPT).contains("Negative prompt: blurry", "Steps: 12", "Size: 64x64");
        assertThat(driver.findElement(By.id("detail-download")).getDomAttribute("download")).endsWith(".png");
        screenshot("08-detail");
        driver.findElement(By.id("detail-reuse")).click();
        wait.until(d -> PROMPT.equals(d.findElement(By.id("prompt")).getDomProperty("value")));
        assertThat(Long.parseLong(driver.findElement(By.id("seed")).getDomProperty("value"))).isBetween(1234L, 1237L);
        assertThat(driver.findElement(By.id("steps")).getDomProperty("value")).isEqualTo("12");
        assertThat(driver.findElement(By.id("negative_prompt")).getDomProperty("value")).isEqualTo("blurry");
        screenshot("09-parameters-reused");
    }

    @Test
    @Order(5)
    void inpaintsWithAPaintedMask() throws Exception {
        driver.findElement(By.id("tab-gallery")).click();
        driver.findElements(By.cssSelector("#gallery-grid .tile")).get(0).click();
        wait.until(d -> text(By.id("detail-info")).contains("Seed:"));
        driver.findElement(By.id("detail-img2img")).click();
        WebElement canvas = wait.until(d -> visible(By.id("mask-canvas")));
        assertThat(driver.findElement(By.id("mode-img2img")).getDomAttribute("class")).contains("active");
        new Actions(driver).moveToElement(canvas, -canvas.getSize().width / 4, -canvas.getSize().height / 4)
                .clickAndHold().moveByOffset(canvas.getSize().width / 3, canvas.getSize().height / 5)
                .moveByOffset(0, canvas.getSize().height / 4).release().perform();
        assertThat(js("return window.sdfleet && document.getElementById('mask-canvas').getContext('2d')"
                + ".getImageData(0, 0, 64, 64).data.some((v, i) => i % 4 === 3 && v > 0)")).isEqualTo(true);
        setValue("steps", "6");
        setValue("n_iter", "1");
        setValue("batch_size", "1");
        setValue("prompt", "a red door");
        setValue("denoising_strength", "0.8");
        screenshot("10-mask-painted");
        driver.findElement(By.id("generate")).click();
        WebElement card = wait.until(d -> d.findElements(By.cssSelector("#jobs .job")).stream()
                .filter(c -> c.getText().contains("a red door")).findFirst().orElse(null));
        wait.until(d -> "finished".equals(card.getDomAttribute("data-state")));
        String id = card.getDomAttribute("data-id");
        var list = JSON.readTree(get("/api/v1/generations?limit=5", "Bearer " + aliceKey));
        var mine = StreamSupport.stream(list.spliterator(), false)
                .filter(g -> g.get("id").asString().equals(id)).findFirst().orElseThrow();
        assertThat(mine.get("mode").asString()).isEqualTo("img2img");
        // the mask reached the engine: the image's infotext records the inpainting parameters
        wait.until(d -> card.findElements(By.cssSelector(".thumbs img[src]")).size() == 1);
        card.findElement(By.cssSelector(".thumbs img")).click();
        wait.until(d -> text(By.id("detail-info")).contains("Seed:"));
        assertThat(text(By.id("detail-info"))).startsWith("a red door").contains("Denoising strength: 0.8", "Mask blur: 4");
        screenshot("11-inpainted");
        driver.findElement(By.id("detail-close")).click();
    }

    @Test
    @Order(6)
    void aDroppedPngFillsTheForm() throws Exception {
        driver.findElement(By.id("mode-txt2img")).click();
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        byte[] png = PngFiles.encode(image, Map.of("parameters", "a red barn in the snow\nNegative prompt: fog, lowres\n"
                + "Steps: 13, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 5.5, Seed: 4242, Size: 72x88, "
                + "Model: mini_sd15_fp32"));
        js("""
                const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
                const file = new File([bytes], 'barn.png', {type: 'image/png'});
                const transfer = new DataTransfer();
                transfer.items.add(file);
                for (const type of ['dragenter', 'dragover', 'drop']) {
                  document.body.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
                }
                """, Base64.getEncoder().encodeToString(png));
        wait.until(d -> "a red barn in the snow".equals(d.findElement(By.id("prompt")).getDomProperty("value")));
        assertThat(driver.findElement(By.id("negative_prompt")).getDomProperty("value")).isEqualTo("fog, lowres");
        assertThat(driver.findElement(By.id("steps")).getDomProperty("value")).isEqualTo("13");
        assertThat(driver.findElement(By.id("seed")).getDomProperty("value")).isEqualTo("4242");
        assertThat(driver.findElement(By.id("cfg_scale")).getDomProperty("value")).isEqualTo("5.5");
        assertThat(driver.findElement(By.id("width")).getDomProperty("value")).isEqualTo("72");
        assertThat(driver.findElement(By.id("height")).getDomProperty("value")).isEqualTo("88");
        assertThat(new Select(driver.findElement(By.id("sampler_name"))).getFirstSelectedOption().getText()).isEqualTo("DPM++ 2M");
        assertThat(new Select(driver.findElement(By.id("scheduler"))).getFirstSelectedOption().getText()).isEqualTo("Karras");
        screenshot("12-png-dropped");
    }

    @Test
    @Order(7)
    void aSecondUserSeesNoneOfTheFirstUsersImages() {
        driver.findElement(By.id("sign-out")).click();
        wait.until(d -> visible(By.id("signin-form")));
        assertThat(js("return sessionStorage.getItem('sdfleet.auth')")).isNull();
        driver.findElement(By.cssSelector("input[name=signin-method][value=basic]")).click();
        driver.findElement(By.id("signin-user")).sendKeys("bob");
        driver.findElement(By.id("signin-password")).sendKeys("bob's long password");
        driver.findElement(By.id("signin-submit")).click();
        wait.until(d -> "bob".equals(d.findElement(By.id("whoami")).getDomAttribute("data-user")));
        assertThat(driver.findElements(By.cssSelector("#jobs .job"))).isEmpty();
        driver.findElement(By.id("tab-gallery")).click();
        wait.until(d -> text(By.id("gallery-status")).contains("all loaded"));
        assertThat(driver.findElements(By.cssSelector("#gallery-grid .tile"))).isEmpty();
        screenshot("13-second-user-gallery");
        // and after a reload, still bob's (sessionStorage), still nothing of alice's
        driver.navigate().refresh();
        wait.until(d -> "bob".equals(d.findElement(By.id("whoami")).getDomAttribute("data-user")));
        driver.findElement(By.id("tab-gallery")).click();
        wait.until(d -> text(By.id("gallery-status")).contains("all loaded"));
        assertThat(driver.findElements(By.cssSelector("#gallery-grid .tile"))).isEmpty();
    }

    @Test
    @Order(8)
    void fitsAPhoneScreen() {
        driver.findElement(By.id("sign-out")).click();
        WebElement key = wait.until(d -> visible(By.id("signin-api-key")));
        driver.findElement(By.cssSelector("input[name=signin-method][value=key]")).click();
        key.sendKeys(aliceKey);
        driver.findElement(By.id("signin-submit")).click();
        wait.until(d -> "alice".equals(d.findElement(By.id("whoami")).getDomAttribute("data-user")));
        driver.manage().window().setSize(new Dimension(390, 844));
        driver.findElement(By.id("tab-generate")).click();
        sleep(300);
        assertThat(((Number) js("return document.documentElement.scrollWidth")).intValue())
                .as("no sideways scrolling at phone width")
                .isLessThanOrEqualTo(((Number) js("return window.innerWidth")).intValue());
        screenshot("14-phone-generate");
        driver.findElement(By.id("tab-gallery")).click();
        wait.until(d -> d.findElements(By.cssSelector("#gallery-grid .tile img[src]")).size() >= 5);
        assertThat(((Number) js("return document.documentElement.scrollWidth")).intValue())
                .isLessThanOrEqualTo(((Number) js("return window.innerWidth")).intValue());
        screenshot("15-phone-gallery");
        driver.manage().window().setSize(new Dimension(1366, 1000));
    }

    /**
     * SDXL checkpoints in the registry (the reference's minis): /sd-models types them from their headers; choosing
     * the base sets its native 1024² and offers SDXL's aspect ratios; the refiner menu lists the refiner first; a
     * PNG's "Refiner: name [hash], Refiner switch at: x" fills the refiner fields, which the page sends (an
     * out-of-range switch comes back next to its field).
     */
    @Test
    @Order(9)
    void anSdxlModelOffersItsSizesAndTheRefiner() throws Exception {
        Path sdxl = reference.resolve("sdxl/models");
        Assumptions.assumeTrue(Files.isRegularFile(sdxl.resolve("mini_sdxl_base.safetensors"))
                && Files.isRegularFile(sdxl.resolve("mini_sdxl_refiner.safetensors")), "no SDXL minis at " + sdxl);
        for (String name : List.of("mini_sdxl_base.safetensors", "mini_sdxl_refiner.safetensors")) {
            HttpResponse<String> uploaded = http.send(HttpRequest.newBuilder(URI.create(base
                            + "/api/v1/models?kind=checkpoint&name=" + name))
                    .header("Authorization", "Bearer " + adminKey).header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofFile(sdxl.resolve(name))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(uploaded.statusCode()).as(uploaded.body()).isIn(200, 201);
        }
        driver.navigate().refresh();
        wait.until(d -> "alice".equals(d.findElement(By.id("whoami")).getDomAttribute("data-user")));
        driver.findElement(By.id("tab-generate")).click();
        driver.findElement(By.id("mode-txt2img")).click();
        wait.until(d -> new Select(d.findElement(By.id("refiner_checkpoint"))).getOptions().size() == 2);
        // (the panel is closed: its options' text is read from the DOM, not the screen)
        assertThat(new Select(driver.findElement(By.id("refiner_checkpoint"))).getOptions())
                .extracting(o -> o.getDomProperty("textContent")).containsExactly("mini_sdxl_refiner", "mini_sdxl_base");

        new Select(driver.findElement(By.id("model"))).selectByVisibleText("mini_sdxl_base");
        assertThat(text(By.id("model-type"))).isEqualTo("(SDXL)");
        Select preset = new Select(driver.findElement(By.id("size-preset")));
        assertThat(preset.getOptions()).extracting(WebElement::getText)
                .contains("1024 × 1024", "1216 × 832", "832 × 1216", "1536 × 640", "640 × 1536");
        preset.selectByValue("1216x832");
        assertThat(driver.findElement(By.id("width")).getDomProperty("value")).isEqualTo("1216");
        assertThat(driver.findElement(By.id("height")).getDomProperty("value")).isEqualTo("832");

        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        byte[] png = PngFiles.encode(image, Map.of("parameters", "a lighthouse at dusk\nSteps: 8, Sampler: Euler, "
                + "CFG scale: 5, Seed: 7, Size: 1024x1024, Model: mini_sdxl_base, Refiner: mini_sdxl_refiner [0123456789], "
                + "Refiner switch at: 0.65"));
        js("""
                const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
                const file = new File([bytes], 'lighthouse.png', {type: 'image/png'});
                const transfer = new DataTransfer();
                transfer.items.add(file);
                for (const type of ['dragenter', 'dragover', 'drop']) {
                  document.body.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
                }
                """, Base64.getEncoder().encodeToString(png));
        new WebDriverWait(driver, Duration.ofSeconds(60))
                .withMessage(() -> "the PNG was not read; toast: " + js("return document.getElementById('toast').textContent"))
                .until(d -> "a lighthouse at dusk".equals(d.findElement(By.id("prompt")).getDomProperty("value")));
        screenshot("16-sdxl-png-dropped");
        assertThat(driver.findElement(By.id("refiner_enabled")).getDomProperty("checked"))
                .as("refiner ticked; toast: " + js("return document.getElementById('toast').textContent")).isEqualTo("true");
        assertThat(new Select(driver.findElement(By.id("refiner_checkpoint"))).getFirstSelectedOption()
                .getDomProperty("textContent")).isEqualTo("mini_sdxl_refiner");
        assertThat(driver.findElement(By.id("refiner_switch_at")).getDomProperty("value")).isEqualTo("0.65");
        assertThat(driver.findElement(By.id("width")).getDomProperty("value")).isEqualTo("1024");
        screenshot("17-sdxl-refiner");

        setValue("refiner_switch_at", "1.5");
        expectedConsoleErrors.add(Pattern.compile("/api/v1/generations .*400"));
        driver.findElement(By.id("generate")).click();
        wait.until(d -> !text(By.cssSelector("[data-error-for=refiner_switch_at]")).isEmpty());
        assertThat(text(By.cssSelector("[data-error-for=refiner_switch_at]"))).contains("between 0");
        setValue("refiner_switch_at", "0.8");

        // and generate: the base hands over to the refiner, whose name and switch point the image's infotext records
        setValue("prompt", "an sdxl lighthouse");
        setValue("width", "64");
        setValue("height", "64");
        setValue("steps", "8");
        setValue("n_iter", "1");
        setValue("batch_size", "1");
        driver.findElement(By.id("generate")).click();
        WebElement card = new WebDriverWait(driver, Duration.ofSeconds(120)).until(d -> d.findElements(
                By.cssSelector("#jobs .job")).stream().filter(c -> c.getText().contains("an sdxl lighthouse"))
                .findFirst().orElse(null));
        new WebDriverWait(driver, Duration.ofSeconds(240)).withMessage(() -> "state " + card.getDomAttribute("data-state")
                + ": " + card.getText()).until(d -> "finished".equals(card.getDomAttribute("data-state")));
        wait.until(d -> card.findElements(By.cssSelector(".thumbs img[src]")).size() == 1);
        card.findElement(By.cssSelector(".thumbs img")).click();
        wait.until(d -> text(By.id("detail-info")).contains("Seed:"));
        assertThat(text(By.id("detail-info"))).startsWith("an sdxl lighthouse")
                .contains("Model: mini_sdxl_base", "Refiner: mini_sdxl_refiner [", "Refiner switch at: 0.8");
        screenshot("18-sdxl-refined");
        driver.findElement(By.id("detail-close")).click();
    }

    // ------------------------------------------------------------------ helpers

    private WebElement visible(By by) {
        List<WebElement> found = driver.findElements(by);
        return !found.isEmpty() && found.get(0).isDisplayed() ? found.get(0) : null;
    }

    private String text(By by) {
        List<WebElement> found = driver.findElements(by);
        return found.isEmpty() ? "" : found.get(0).getText().trim();
    }

    /** Sets an input's value as typing would (input events included, so highlighting and filters follow). */
    private void setValue(String id, String value) {
        js("""
                const e = document.getElementById(arguments[0]);
                e.value = arguments[1];
                e.dispatchEvent(new Event('input', {bubbles: true}));
                e.dispatchEvent(new Event('change', {bubbles: true}));
                """, id, value);
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private void screenshot(String name) {
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        try {
            Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String admin(String method, String path, String body, int expectedStatus) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + adminKey)
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
        return response.body();
    }

    private String get(String path, String auth) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", auth).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
