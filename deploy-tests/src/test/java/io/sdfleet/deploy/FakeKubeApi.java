package io.sdfleet.deploy;

import com.sun.jna.NativeLibrary;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A Kubernetes API server answering just what the chart's {@code lookup} calls ask: discovery of {@code v1} and GET of
 * a Secret (404 unless one was put here).
 *
 * <p>helm-java's {@code template} is an install dry run that, unlike the {@code helm template} command line, lets
 * {@code lookup} reach the cluster named by the kubeconfig; with no cluster the lookup (and so the render) fails. The
 * tests point the kubeconfig here, which also lets them check that an upgrade keeps generated passwords.
 */
final class FakeKubeApi {

    private static FakeKubeApi instance;

    private final HttpServer server;
    private final Map<String, Map<String, String>> secrets = new ConcurrentHashMap<>();

    private FakeKubeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts the server once per JVM and points helm's kubeconfig at it (before the helm library is loaded). */
    static synchronized FakeKubeApi start() {
        if (instance != null) return instance;
        try {
            instance = new FakeKubeApi();
            String configured = System.getenv("KUBECONFIG");
            Path kubeconfig = configured != null && !configured.isBlank()
                    ? Path.of(configured)
                    : Files.createTempFile("sdfleet-fake-kubeconfig", ".yaml");
            Files.createDirectories(kubeconfig.toAbsolutePath().getParent());
            Files.writeString(kubeconfig, instance.kubeconfig());
            if (!kubeconfig.toString().equals(configured)) {
                // The Go runtime in helm-java's native library reads the process environment when it is loaded.
                NativeLibrary.getInstance("c").getFunction("setenv")
                        .invokeInt(new Object[] {"KUBECONFIG", kubeconfig.toString(), 1});
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> instance.server.stop(0)));
            return instance;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake Kubernetes API", e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private String kubeconfig() {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: fake
                    cluster:
                      server: %s
                contexts:
                  - name: fake
                    context:
                      cluster: fake
                      user: fake
                current-context: fake
                users:
                  - name: fake
                    user:
                      token: fake
                """.formatted(url());
    }

    /** Makes GET /api/v1/namespaces/{namespace}/secrets/{name} answer this Secret (plain values). */
    void putSecret(String namespace, String name, Map<String, String> data) {
        secrets.put(namespace + "/" + name, Map.copyOf(data));
    }

    void clearSecrets() {
        secrets.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String[] parts = path.split("/");
        if (path.equals("/api/v1")) {
            reply(exchange, 200, """
                    {"kind":"APIResourceList","apiVersion":"v1","groupVersion":"v1","resources":[
                     {"name":"secrets","singularName":"secret","namespaced":true,"kind":"Secret",
                      "verbs":["get","list"]}]}""");
        } else if (path.equals("/api")) {
            reply(exchange, 200, """
                    {"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[]}""");
        } else if (parts.length == 7 && path.startsWith("/api/v1/namespaces/") && parts[5].equals("secrets")
                && secrets.containsKey(parts[4] + "/" + parts[6])) {
            String data = secrets.get(parts[4] + "/" + parts[6]).entrySet().stream()
                    .map(e -> "\"%s\":\"%s\"".formatted(e.getKey(), Base64.getEncoder()
                            .encodeToString(e.getValue().getBytes(StandardCharsets.UTF_8))))
                    .collect(Collectors.joining(","));
            reply(exchange, 200, """
                    {"kind":"Secret","apiVersion":"v1","metadata":{"name":"%s","namespace":"%s"},"type":"Opaque",
                     "data":{%s}}""".formatted(parts[6], parts[4], data));
        } else {
            reply(exchange, 404, """
                    {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"not found",
                     "reason":"NotFound","code":404}""");
        }
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (var out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
