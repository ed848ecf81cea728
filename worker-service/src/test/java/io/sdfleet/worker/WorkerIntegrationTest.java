package io.sdfleet.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.sun.net.httpserver.HttpServer;
import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.contracts.JobReturned;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.infra.TestInternalToken;
import io.sdfleet.infra.TestServers;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.ModelChoice;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import io.sdfleet.worker.job.JobListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.image.PngFiles;
import io.sdfleet.diffusion.upscale.Resizer;
import io.sdfleet.diffusion.upscale.UpscalerLibrary;
import io.sdfleet.request.Extras;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker on the machine's real RabbitMQ (else an embedded Qpid broker; a random name prefix keeps runs apart), running the real engine on the
 * reference mini model. Storage is stood in for by a recording HTTP endpoint speaking storage-service's protocol.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {WorkerApplication.CONFIG_NAME, TestInternalToken.PROPERTY})
class WorkerIntegrationTest {

    private static final String PREFIX = "test-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    private static final Messaging.Names NAMES = new Messaging.Names(PREFIX);
    private static final TestServers.Endpoint BROKER = TestServers.broker();
    private static final JsonMapper JSON = JsonMapper.builder().findAndAddModules().build();
    private static final Path REFERENCE = Path.of(System.getProperty("sdfleet.reference", "../../shared/reference"));
    private static final Path SMALL_ESRGAN = REFERENCE.resolve("restore/models/4x-small-oldarch.pth");
    private static HttpServer storage;
    private static final List<String> storedBodies = new CopyOnWriteArrayList<>();
    private static Connection connection;
    private static Channel channel;
    private static final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private static final Map<String, Object> eventTraces = new ConcurrentHashMap<>();
    private static final Map<String, byte[]> eventBodies = new ConcurrentHashMap<>();
    private static final List<String> storageTraces = new CopyOnWriteArrayList<>();

    @LocalServerPort
    int managementPort;

    @BeforeAll
    static void start() throws Exception {
        storage = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        storage.createContext("/internal/images", exchange -> {
            if (!TestInternalToken.AUTHORIZATION.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.sendResponseHeaders(401, -1); // as storage-service answers a call without the credential
                exchange.close();
                return;
            }
            storedBodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.ISO_8859_1));
            String trace = exchange.getRequestHeaders().getFirst(Messaging.REQUEST_ID_HTTP_HEADER);
            if (trace != null) {
                storageTraces.add(trace);
            }
            exchange.sendResponseHeaders(201, -1);
            exchange.close();
        });
        // storage-service's model registry: one ESRGAN upscaler (the reference's small RRDB file), every other model
        // is in the worker's local folder
        byte[] esrgan = Files.readAllBytes(SMALL_ESRGAN);
        String esrganSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(esrgan));
        storage.createContext("/internal/models", exchange -> {
            if (!TestInternalToken.AUTHORIZATION.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.sendResponseHeaders(401, -1);
                exchange.close();
                return;
            }
            boolean content = exchange.getRequestURI().getPath().equals("/internal/models/" + esrganSha + "/content");
            byte[] body = content ? esrgan : ("[{\"kind\":\"esrgan\",\"name\":\"4x-small-oldarch.pth\",\"sha256\":\""
                    + esrganSha + "\",\"modelHash\":\"\",\"legacyHash\":\"\",\"sizeBytes\":" + esrgan.length + "}]")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", content ? "application/octet-stream" : "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        storage.start();
        connection = BROKER.connect();
        channel = connection.createChannel();
        channel.exchangeDeclare(NAMES.eventsExchange(), "topic", true);
        String queue = channel.queueDeclare().getQueue();
        channel.queueBind(queue, NAMES.eventsExchange(), Messaging.ALL_EVENTS);
        channel.basicConsume(queue, true, (tag, delivery) -> {
            Map<String, Object> headers = delivery.getProperties().getHeaders();
            if (headers != null && headers.get(Messaging.TRACE_HEADER) != null) {
                eventTraces.put(delivery.getEnvelope().getRoutingKey(), headers.get(Messaging.TRACE_HEADER).toString());
            }
            eventBodies.put(delivery.getEnvelope().getRoutingKey(), delivery.getBody());
            events.add(delivery.getEnvelope().getRoutingKey());
        }, tag -> { });
    }

    @AfterAll
    static void stop() throws Exception {
        for (String q : List.of(NAMES.jobsQueue(), NAMES.jobsDeadLetterQueue())) {
            channel.queueDelete(q);
        }
        channel.exchangeDelete(NAMES.eventsExchange());
        channel.exchangeDelete(NAMES.heartbeatsExchange());
        connection.close();
        storage.stop(0);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        Path reference = REFERENCE;
        registry.add("sdfleet.messaging.prefix", () -> PREFIX);
        registry.add("spring.rabbitmq.host", BROKER::host);
        registry.add("spring.rabbitmq.port", BROKER::port);
        registry.add("sdfleet.worker.storage-url", () -> "http://127.0.0.1:" + storage.getAddress().getPort());
        registry.add("sdfleet.worker.models-dir", reference::toString);
        registry.add("sdfleet.worker.default-model", () -> "mini_sd15_fp32.safetensors");
        registry.add("sdfleet.worker.tokenizer", () -> reference.resolve("clip-tokenizer").toString());
    }

    @Test
    void runsAJobStoresEveryImageThenReportsItFinished() throws Exception {
        String request = UUID.randomUUID().toString();
        GenerationParameters p = new GenerationParameters(new Prompt("a red boat", "", 1),
                new ImageSize(64, 64), new Batch(2, 1), Noise.of(100),
                new Sampling("Euler a", "Automatic", 3, 7));
        publish(new JobMessage(JobMessage.jobIdOf(request, 4), request, "alice", 4, List.of(104L, 105L), p));

        List<String> seen = awaitEvent("request." + request + ".job-finished");
        // step 0 as the worker takes the job, then steps 1 to 3
        assertThat(seen.stream().filter(k -> k.endsWith(".progress"))).hasSize(4);
        List<String> mine = storedBodies.stream().filter(b -> b.contains(request)).toList();
        assertThat(mine).hasSize(2);
        assertThat(mine).anySatisfy(b -> assertThat(b).contains("\"imageIndex\":4", "\"seed\":104", "\u0089PNG", "Seed: 104"));
        assertThat(mine).anySatisfy(b -> assertThat(b).contains("\"imageIndex\":5", "\"seed\":105", "Seed: 105"));
    }

    @Test
    void aJobOnTheWorkersOwnQueueRunsToo(@Autowired WorkerProperties worker)
            throws Exception {
        String request = UUID.randomUUID().toString();
        GenerationParameters p = new GenerationParameters(new Prompt("a blue boat", "", 1),
                new ImageSize(64, 64), new Batch(1, 1), Noise.of(1),
                new Sampling("Euler", "Automatic", 2, 7));
        JobMessage job = new JobMessage(JobMessage.jobIdOf(request, 0), request, "alice", 0, List.of(7L), p);
        channel.basicPublish("", NAMES.workerJobsQueue(worker.id()), new AMQP.BasicProperties.Builder().deliveryMode(2)
                .contentType("application/json").build(), JSON.writeValueAsBytes(job));
        awaitEvent("request." + request + ".job-finished");
        assertThat(storedBodies.stream().filter(b -> b.contains(request))).hasSize(1);
    }

    @Test
    void aJobThatKeepsFailingEndsInTheDeadLetterQueueAndTheRequestIsTold() throws Exception {
        String request = UUID.randomUUID().toString();
        GenerationParameters p = new GenerationParameters(new Prompt("x", "", 1),
                new ImageSize(64, 64), new Batch(1, 1), Noise.of(1),
                new Sampling("Euler", "Automatic", 2, 7), null, null, new ModelChoice("no-such-model", null), false);
        publish(new JobMessage(JobMessage.jobIdOf(request, 0), request, "bob", 0, List.of(1L), p));

        awaitEvent("request." + request + ".job-failed");
        GetResponse dead = null;
        for (int i = 0; i < 50 && dead == null; i++) {
            GetResponse next = channel.basicGet(NAMES.jobsDeadLetterQueue(), true);
            if (next != null && new String(next.getBody(), StandardCharsets.UTF_8).contains(request)) {
                dead = next;
            } else if (next == null) {
                Thread.sleep(100); // other tests' dead jobs are passed over
            }
        }
        assertThat(dead).as("dead-lettered job").isNotNull();
        // an unknown model is the job's fault, not the worker's: no worker fault is reported, but it still gets its 3 attempts
        assertThat(dead.getProps().getHeaders().get("x-sdfleet-attempt").toString()).isEqualTo(String.valueOf(Messaging.MAX_JOB_ATTEMPTS));
    }

    @Test
    void aJobWhoseHiresUpscalerFileIsMissingFailsNamingTheFile() throws Exception {
        String request = UUID.randomUUID().toString();
        GenerationParameters p = new GenerationParameters(new Prompt("x", "", 1),
                new ImageSize(64, 64), new Batch(1, 1), Noise.of(1), new Sampling("Euler", "Automatic", 2, 7))
                .withHires(new HiresFix(2, 0, 0, "R-ESRGAN 4x+", 1, 0.5, null, null, null, null));
        publish(new JobMessage(JobMessage.jobIdOf(request, 0), request, "bob", 0, List.of(1L), p));

        String failed = "request." + request + ".job-failed";
        awaitEvent(failed);
        assertThat(new String(eventBodies.get(failed), StandardCharsets.UTF_8))
                .contains("upscaler 'R-ESRGAN 4x+' needs the file RealESRGAN/RealESRGAN_x4plus.pth");
        assertThat(storedBodies.stream().filter(b -> b.contains(request))).isEmpty();
    }

    /**
     * An extras job (A1111's extra-single-image): the image is upscaled by 2 with an ESRGAN file the worker pulls from
     * the registry, exactly as the engine's upscaler makes it, and stored with A1111's extras infotext.
     */
    @Test
    void anExtrasJobUpscalesItsImageWithAPulledEsrganFileAndStoresIt() throws Exception {
        PixelPlanes input = pattern(24, 20);
        String request = UUID.randomUUID().toString();
        Extras extras = new Extras(List.of(base64Png(input)), List.of(), 0, 2, true, 512, 512, true,
                "4x-small-oldarch", "None", 0, 0, 0, 0);
        publish(new JobMessage(JobMessage.jobIdOf(request, 0), request, "alice", 0, List.of(9L), extrasJob(extras)));

        awaitEvent("request." + request + ".job-finished");
        List<String> mine = storedBodies.stream().filter(b -> b.contains(request)).toList();
        assertThat(mine).hasSize(1);
        assertThat(mine.getFirst()).contains("Postprocess upscale by: 2.0, Postprocess upscaler: 4x-small-oldarch");
        byte[] png = pngIn(mine.getFirst());
        assertThat(PngFiles.readText(png)).containsEntry("postprocessing",
                "Postprocess upscale by: 2.0, Postprocess upscaler: 4x-small-oldarch");
        PixelPlanes stored = PixelPlanes.rgb(ImageIO.read(new ByteArrayInputStream(png)));
        PixelPlanes expected;
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            expected = UpscalerLibrary.none().withFile("4x-small-oldarch", SMALL_ESRGAN).open("4x-small-oldarch", m)
                    .upscale(input, 2);
        }
        assertThat(stored.width()).isEqualTo(48);
        assertThat(stored.height()).isEqualTo(40);
        assertThat(stored.channels()).isDeepEqualTo(expected.channels());
        assertThat(java.util.Arrays.deepEquals(expected.channels(), Resizer.LANCZOS.upscale(input, 2).channels()))
                .as("the model changed the image, not just resized it").isFalse();
    }

    @Test
    void anExtrasJobAskingForARestorerWithoutItsFilesFailsNamingThem() throws Exception {
        String request = UUID.randomUUID().toString();
        Extras extras = new Extras(List.of(base64Png(pattern(16, 16))), List.of(), 0, 2, false, 512, 512, true,
                "None", "None", 0, 0.5, 0, 0);
        publish(new JobMessage(JobMessage.jobIdOf(request, 0), request, "bob", 0, List.of(1L), extrasJob(extras)));

        String failed = "request." + request + ".job-failed";
        awaitEvent(failed);
        assertThat(new String(eventBodies.get(failed), StandardCharsets.UTF_8))
                .contains("face restoration with GFPGAN needs", "GFPGAN/GFPGANv1.4.pth", "nor in the fleet's model registry");
        assertThat(storedBodies.stream().filter(b -> b.contains(request))).isEmpty();
    }

    private static GenerationParameters extrasJob(Extras extras) {
        return new GenerationParameters(new Prompt("", "", 1), new ImageSize(64, 64), new Batch(1, 1), Noise.of(9),
                new Sampling("Euler", "Automatic", 1, 7)).withExtras(extras);
    }

    private static PixelPlanes pattern(int w, int h) {
        int[][][] c = new int[3][h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                c[0][y][x] = (x * 37 + y * 11) % 256;
                c[1][y][x] = (x * y * 7) % 256;
                c[2][y][x] = (255 - x * 9) & 0xff;
            }
        }
        return new PixelPlanes(c);
    }

    private static String base64Png(PixelPlanes image) {
        return Base64.getEncoder().encodeToString(PngFiles.encode(image.toImage(), Map.of()));
    }

    /** The PNG inside a stored body (read as ISO-8859-1): from its signature to the end of IEND. */
    private static byte[] pngIn(String body) {
        int start = body.indexOf("\u0089PNG");
        int end = body.indexOf("IEND", start) + 8;
        return body.substring(start, end).getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aJobsTraceReachesItsEventsAndStorageAndPrometheusListsTheWorkersMeters() throws Exception {
        String request = UUID.randomUUID().toString();
        GenerationParameters p = new GenerationParameters(new Prompt("a blue kite", "", 1),
                new ImageSize(64, 64), new Batch(1, 1), Noise.of(5),
                new Sampling("Euler", "Automatic", 2, 7));
        long acceptedAt = System.currentTimeMillis() - 1500;
        channel.basicPublish("", NAMES.jobsQueue(), new AMQP.BasicProperties.Builder().deliveryMode(2)
                .contentType("application/json").headers(Map.of(Messaging.TRACE_HEADER, "trace-worker-7",
                        Messaging.ACCEPTED_AT_HEADER, acceptedAt)).build(),
                JSON.writeValueAsBytes(new JobMessage(JobMessage.jobIdOf(request, 0), request, "carol", 0, List.of(5L), p)));

        awaitEvent("request." + request + ".job-finished");
        assertThat(eventTraces.get("request." + request + ".progress")).isEqualTo("trace-worker-7");
        assertThat(eventTraces.get("request." + request + ".job-finished")).isEqualTo("trace-worker-7");
        assertThat(storageTraces).contains("trace-worker-7");

        HttpClient http = HttpClient.newHttpClient();
        String metrics = "";
        for (int i = 0; i < 50 && !metrics.contains("sdfleet_worker_memory_used_bytes{"); i++) {
            metrics = http.send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + managementPort + "/actuator/prometheus"))
                    .header("Authorization", TestInternalToken.AUTHORIZATION).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Thread.sleep(200); // the memory gauges fill at the next heartbeat
        }
        assertThat(metrics).contains(
                "sdfleet_job_wait_seconds_count{application=\"worker-service\",worker=",
                "sdfleet_job_run_seconds_count{application=\"worker-service\",outcome=\"finished\",worker=",
                "sdfleet_worker_steps_total{",
                "sdfleet_worker_images_total{",
                "sdfleet_worker_steps_per_second{",
                "sdfleet_worker_images_per_second{",
                "sdfleet_worker_memory_used_bytes{application=\"worker-service\",device=",
                "sdfleet_worker_memory_peak_bytes{",
                "sdfleet_worker_job_failures_total{",
                "sdfleet_jobs_dead_lettered_total{",
                "sdfleet_worker_storage_errors_total{");
        int status = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + managementPort + "/actuator/health/readiness")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        assertThat(status).isEqualTo(200);
        int unsigned = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + managementPort + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        assertThat(unsigned).as("the management port without the internal credential").isEqualTo(401);
    }

    /**
     * Prompts of 10,000 characters (the gateway's limit) in the syntax's shapes: each either makes its image or,
     * when it is bad input, fails as the job's fault; no shape makes the worker report a fault of its own (a
     * stack overflow on a long prompt once did, and three such requests drained three workers).
     */
    @Test
    void tenThousandCharacterPromptsMakeImagesOrFailAsTheJobsFaultNeverTheWorkers() throws Exception {
        Map<String, String> good = new LinkedHashMap<>();
        for (String unit : List.of("a, ", "(a:1.2), [b], [c:d:0.5] [e|f] \\(g\\) BREAK ", "x AND y:0.5 " + "z, ".repeat(800),
                "((((((((((", "[[[[[[[[[[", "\u732b\u3001caf\u00e9 \uD83D\uDE00 ", " \n\t ")) {
            good.put(UUID.randomUUID().toString(), tenThousand(unit));
        }
        good.put(UUID.randomUUID().toString(), "[".repeat(4_999) + "a" + "]".repeat(4_999));
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put(UUID.randomUUID().toString(), tenThousand("<lora:no-such-lora:1> a, ")); // an unknown LoRA
        bad.put(UUID.randomUUID().toString(), tenThousand("(a:1.2.3) ")); // a weight that is no number
        Map<String, String> all = new LinkedHashMap<>(good);
        all.putAll(bad);
        all.forEach((request, prompt) -> {
            GenerationParameters p = new GenerationParameters(new Prompt(prompt, prompt, 1),
                    new ImageSize(64, 64), new Batch(1, 1), Noise.of(3),
                    new Sampling("Euler", "Automatic", 1, 7));
            try {
                publish(new JobMessage(JobMessage.jobIdOf(request, 0), request, "dave", 0, List.of(3L), p));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });

        Set<String> expected = new HashSet<>();
        good.keySet().forEach(r -> expected.add("request." + r + ".job-finished"));
        bad.keySet().forEach(r -> expected.add("request." + r + ".job-failed"));
        List<String> seen = awaitEvents(expected);
        assertThat(seen).as("worker faults").noneMatch(k -> k.endsWith("." + EventKind.WORKER_FAULT.wireName()));
        assertThat(seen).as("no good prompt failed").noneMatch(k -> good.keySet().stream()
                .anyMatch(r -> k.equals("request." + r + ".job-failed")));
        for (String request : good.keySet()) {
            assertThat(storedBodies.stream().filter(b -> b.contains(request) && b.contains("\u0089PNG")))
                    .as("the image of %s", request).hasSize(1);
        }
    }

    private static String tenThousand(String unit) {
        StringBuilder b = new StringBuilder(10_000);
        while (b.length() + unit.length() <= 10_000) {
            b.append(unit);
        }
        return b.toString();
    }

    /** Every event up to the last of {@code keys}; fails after 5 minutes. */
    private static List<String> awaitEvents(Set<String> keys) throws InterruptedException {
        Set<String> missing = new HashSet<>(keys);
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            String key = events.poll(1, TimeUnit.SECONDS);
            if (key != null) {
                seen.add(key);
                missing.remove(key);
            }
        }
        assertThat(missing).as("events not seen within 5 minutes; saw %s", seen).isEmpty();
        return seen;
    }

    @Autowired
    RabbitListenerEndpointRegistry listeners;

    /**
     * Was: a job whose worker was SIGKILLed mid-job came back with the same attempt header, forever (issue 14). A
     * delivery the broker hands back after its holder's connection died is not run again blindly: the worker
     * publishes JobReturned with the attempt the job carried (the scheduler counts it and re-releases or fails the
     * job) and acknowledges it, storing nothing.
     */
    @Test
    void aJobWhoseWorkerDiedWithItIsHandedBackToTheSchedulerUnrun() throws Exception {
        GenerationParameters p = new GenerationParameters(new Prompt("a crash", "", 1),
                new ImageSize(64, 64), new Batch(1, 1), Noise.of(1),
                new Sampling("Euler", "Automatic", 2, 7));
        String first = UUID.randomUUID().toString();
        String last = UUID.randomUUID().toString();
        var jobs = listeners.getListenerContainer(JobListener.CONTAINER_ID);
        jobs.stop(); // this worker takes nothing while a stand-in "worker" takes the jobs and dies holding them
        try (Connection dying = BROKER.connect(); Channel held = dying.createChannel()) {
            publishAttempt(new JobMessage(JobMessage.jobIdOf(first, 0), first, "erin", 0, List.of(3L), p), 1);
            publishAttempt(new JobMessage(JobMessage.jobIdOf(last, 0), last, "erin", 0, List.of(3L), p),
                    Messaging.MAX_JOB_ATTEMPTS);
            int taken = 0;
            for (int i = 0; i < 100 && taken < 2; i++) {
                if (held.basicGet(NAMES.jobsQueue(), false) != null) { // taken, never acknowledged
                    taken++;
                } else {
                    Thread.sleep(50);
                }
            }
            assertThat(taken).isEqualTo(2);
        } // the stand-in's connection closes unacknowledged: the broker redelivers, marked redelivered
        jobs.start();

        List<String> seen = awaitEvents(Set.of(EventKind.JOB_RETURNED.routingKey(first),
                EventKind.JOB_RETURNED.routingKey(last)));
        JobReturned returnedFirst = JSON.readValue(eventBodies.get(EventKind.JOB_RETURNED.routingKey(first)),
                JobReturned.class);
        JobReturned returnedLast = JSON.readValue(eventBodies.get(EventKind.JOB_RETURNED.routingKey(last)),
                JobReturned.class);
        assertThat(returnedFirst.attempt()).isEqualTo(1);
        assertThat(returnedFirst.job().jobId()).isEqualTo(JobMessage.jobIdOf(first, 0));
        assertThat(returnedLast.attempt()).isEqualTo(Messaging.MAX_JOB_ATTEMPTS);
        assertThat(returnedFirst.workerId()).isNotBlank();
        assertThat(seen).noneMatch(k -> k.startsWith("request." + first + ".") && !k.endsWith(".job-returned"));
        assertThat(seen).noneMatch(k -> k.startsWith("request." + last + ".") && !k.endsWith(".job-returned"));
        assertThat(storedBodies.stream().filter(b -> b.contains(first) || b.contains(last))).isEmpty();
        assertThat(channel.basicGet(NAMES.jobsQueue(), false)).as("both were acknowledged").isNull();
    }

    private static void publishAttempt(JobMessage job, int attempt) throws Exception {
        channel.basicPublish("", NAMES.jobsQueue(), new AMQP.BasicProperties.Builder().deliveryMode(2)
                .contentType("application/json").headers(Map.of(Messaging.ATTEMPT_HEADER, attempt)).build(),
                JSON.writeValueAsBytes(job));
    }

    private static void publish(JobMessage job) throws Exception {
        channel.basicPublish("", NAMES.jobsQueue(), new AMQP.BasicProperties.Builder().deliveryMode(2)
                .contentType("application/json").build(), JSON.writeValueAsBytes(job));
    }

    private static List<String> awaitEvent(String routingKey) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String key = events.poll(1, TimeUnit.SECONDS);
            if (key != null) {
                seen.add(key);
                if (key.equals(routingKey)) {
                    return seen;
                }
            }
        }
        throw new AssertionError("no event " + routingKey + " within 120 s; saw " + seen);
    }
}
