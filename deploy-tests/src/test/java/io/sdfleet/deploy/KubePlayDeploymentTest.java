package io.sdfleet.deploy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.sdfleet.deploy.Chart.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart, rendered with helm-java (default values, persistence of the bundled servers off, tag latest), run with
 * {@code podman kube play} as a cluster stand-in: each Deployment and StatefulSet becomes one Pod named after the
 * Service that selects it (so the Services' names resolve on podman's network), the Secret a podman secret (kube
 * play reads secretKeyRef from those), emptyDirs and the models claim host folders (the models one holding the mini
 * checkpoint); container ports are dropped (kube play would publish them on the host) and so are the probes, which
 * the test runs itself as the kubelet would: httpGet to the pod's address, exec in the container, tcpSocket. Then a
 * txt2img through the gateway pod, and everything is torn down. Skipped, like {@link ComposeDeploymentTest}, where podman is missing.
 */
@Timeout(value = 75, unit = TimeUnit.MINUTES)
class KubePlayDeploymentTest {

    static final String NETWORK = "sdfleet-kube";
    static final List<String> PROBES = List.of("startupProbe", "readinessProbe", "livenessProbe");

    static Path work;
    static Path pods;
    static final List<String> secrets = new ArrayList<>();
    /** Pod name -> container name -> its probes (kind -> probe), ports resolved to numbers. */
    static final Map<String, Map<String, Map<String, Map<String, Object>>>> probes = new LinkedHashMap<>();
    static String adminKey;
    static String gatewayPod;
    static boolean played;

    @BeforeAll
    static void play() throws IOException {
        Podman.assumeUsable("podman", "runc", "debootstrap");
        Path reference = Path.of(System.getProperty("sdfleet.reference", "../../shared/reference"));
        Path checkpoint = reference.resolve("mini_sd15_fp32.safetensors");
        Podman.assume(Files.isRegularFile(checkpoint), "deployment test skipped: no reference checkpoint at " + checkpoint.toAbsolutePath());
        work = Podman.work().resolve("kube");
        deleteTree(work);
        Files.createDirectories(work);
        Podman.buildImages();

        Path models = Files.createDirectories(work.resolve("models/tokenizer"));
        Files.copy(checkpoint, work.resolve("models/mini_sd15_fp32.safetensors"));
        try (Stream<Path> files = Files.list(reference.resolve("clip-tokenizer"))) {
            for (Path f : files.toList()) Files.copy(f, models.resolve(f.getFileName().toString()));
        }

        Chart.Rendered rendered = Chart.template(Chart.values(
                "image.tag", "latest",
                "rabbitmq.persistence.enabled", false,
                "postgresql.persistence.enabled", false,
                "minio.persistence.enabled", false), work);

        List<Map<String, Object>> services = rendered.ofKind("Service");
        List<Object> out = new ArrayList<>();
        for (Map<String, Object> object : rendered.objects()) {
            String kind = (String) object.get("kind");
            String name = at(object, "metadata.name");
            switch (kind) {
                case "Secret" -> {
                    // podman 4.3 reads a secretKeyRef from a podman secret holding a JSON map: key -> base64 value.
                    Path file = work.resolve("secret-" + name + ".json");
                    Map<String, Object> data = at(object, "data");
                    StringBuilder json = new StringBuilder("{");
                    data.forEach((k, v) -> json.append(json.length() == 1 ? "" : ",")
                            .append('"').append(k).append("\":\"").append(v).append('"'));
                    Files.writeString(file, json.append("}").toString());
                    run("secret-" + name, "podman", "secret", "rm", name); // leftovers
                    Podman.Result r = run("secret-" + name, "podman", "secret", "create", name, file.toString());
                    assertThat(r.ok()).as("podman secret create %s:\n%s", name, r.tail()).isTrue();
                    secrets.add(name);
                    if (at(object, "data.admin-key") != null) {
                        adminKey = new String(Base64.getDecoder().decode((String) at(object, "data.admin-key")), StandardCharsets.UTF_8);
                    }
                }
                case "Deployment", "StatefulSet" -> out.add(pod(object, services));
                default -> { } // Services: pod names; ServiceAccount, NetworkPolicy, PVC: no podman equivalent needed
            }
        }
        assertThat(adminKey).as("the chart's Secret holds admin-key").isNotBlank();
        gatewayPod = Chart.FULLNAME + "-gateway";
        assertThat(probes).containsKey(gatewayPod);

        pods = work.resolve("pods.yaml");
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.writeString(pods, new Yaml(options).dumpAll(out.iterator()));

        run("network", "podman", "network", "rm", "-f", NETWORK);
        Podman.Result net = run("network", "podman", "network", "create", NETWORK);
        assertThat(net.ok()).as(net.tail()).isTrue();
        played = true;
        Podman.Result r = run("play", "podman", "kube", "play", "--network", NETWORK, pods.toString());
        assertThat(r.ok()).as("podman kube play:\n%s", r.tail()).isTrue();
    }

    /** A Deployment's or StatefulSet's pod template as one Pod, named after the Service selecting it. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> pod(Map<String, Object> workload, List<Map<String, Object>> services) throws IOException {
        Map<String, Object> labels = at(workload, "spec.template.metadata.labels");
        String name = at(workload, "metadata.name");
        for (Map<String, Object> service : services) {
            Map<String, Object> selector = at(service, "spec.selector");
            if (selector != null && labels.entrySet().containsAll(selector.entrySet())) name = at(service, "metadata.name");
        }
        Map<String, Object> spec = new LinkedHashMap<>(at(workload, "spec.template.spec"));
        spec.remove("serviceAccountName");
        spec.remove("automountServiceAccountToken");
        Map<String, Map<String, Map<String, Object>>> podProbes = new LinkedHashMap<>();
        for (Map<String, Object> container : (List<Map<String, Object>>) spec.get("containers")) {
            Map<String, Object> namedPorts = new LinkedHashMap<>();
            for (Map<String, Object> port : (List<Map<String, Object>>) container.getOrDefault("ports", List.of())) {
                if (port.get("name") != null) namedPorts.put((String) port.get("name"), port.get("containerPort"));
            }
            Map<String, Map<String, Object>> containerProbes = new LinkedHashMap<>();
            for (String kind : PROBES) {
                Map<String, Object> probe = (Map<String, Object>) container.remove(kind);
                if (probe == null) continue;
                for (String action : List.of("httpGet", "tcpSocket")) {
                    Map<String, Object> a = (Map<String, Object>) probe.get(action);
                    if (a != null && a.get("port") instanceof String named) {
                        assertThat(namedPorts).as("%s %s port %s", name, kind, named).containsKey(named);
                        a.put("port", namedPorts.get(named));
                    }
                }
                containerProbes.put(kind, probe);
            }
            podProbes.put((String) container.get("name"), containerProbes);
            container.remove("ports");
            container.put("imagePullPolicy", "Never");
        }
        probes.put(name, podProbes);
        List<Map<String, Object>> volumes = new ArrayList<>();
        for (Map<String, Object> volume : (List<Map<String, Object>>) spec.getOrDefault("volumes", List.of())) {
            String volumeName = (String) volume.get("name");
            Path dir;
            if (volume.containsKey("persistentVolumeClaim")) {
                assertThat(volumeName).as("the only claim the pods mount").isEqualTo("models");
                dir = work.resolve("models");
            } else {
                assertThat(volume).as("volume %s of %s", volumeName, name).containsKey("emptyDir");
                // An emptyDir is writable by whichever user the container runs as.
                dir = Files.createDirectories(work.resolve("volumes/" + name + "/" + volumeName));
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
            volumes.add(Map.of("name", volumeName, "hostPath", Map.of("path", dir.toString(), "type", "Directory")));
        }
        if (!volumes.isEmpty()) spec.put("volumes", volumes);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", name);
        metadata.put("labels", labels);
        Map<String, Object> pod = new LinkedHashMap<>();
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        pod.put("metadata", metadata);
        pod.put("spec", spec);
        return pod;
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (work == null) return;
        if (played) {
            for (var pod : probes.entrySet()) {
                for (String container : pod.getValue().keySet()) {
                    run("logs-" + pod.getKey() + "-" + container, "podman", "logs", pod.getKey() + "-" + container);
                }
            }
            run("down", "podman", "kube", "down", pods.toString());
            run("network", "podman", "network", "rm", "-f", NETWORK);
        }
        for (String secret : secrets) {
            run("secret-" + secret, "podman", "secret", "rm", secret);
            Files.deleteIfExists(work.resolve("secret-" + secret + ".json"));
        }
        deleteTree(work.resolve("volumes"));
        deleteTree(work.resolve("models"));
    }

    @Test
    void everyProbePassesAsTheKubeletWouldRunIt() throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(8));
        List<String> failures = new ArrayList<>();
        for (var pod : probes.entrySet()) {
            String ip = podIp(pod.getKey());
            for (var container : pod.getValue().entrySet()) {
                for (var probe : container.getValue().entrySet()) {
                    String what = pod.getKey() + "/" + container.getKey() + " " + probe.getKey();
                    String last;
                    do {
                        last = probe(ip, pod.getKey() + "-" + container.getKey(), probe.getValue());
                        if (last == null) break;
                        Thread.sleep(2000);
                    } while (Instant.now().isBefore(deadline));
                    if (last != null) failures.add(what + ": " + last);
                }
            }
        }
        assertThat(failures).as("probes that never passed (logs in %s)", work).isEmpty();
    }

    @Test
    void txt2imgThroughTheGatewayPodReturnsAPng() throws Exception {
        FleetClient gateway = new FleetClient("http://" + podIp(gatewayPod) + ":7860");
        gateway.awaitReady(Duration.ofMinutes(8), "logs in " + work);
        String apiKey = gateway.userKey(adminKey, "deploy-test");
        Files.write(work.resolve("txt2img.png"), gateway.txt2imgPng(apiKey));
    }

    /** One probe run: null when it passed, else why not. */
    @SuppressWarnings("unchecked")
    static String probe(String ip, String container, Map<String, Object> probe) throws InterruptedException {
        int timeout = ((Number) probe.getOrDefault("timeoutSeconds", 1)).intValue();
        if (probe.get("httpGet") instanceof Map<?, ?> get) {
            String scheme = String.valueOf(((Map<String, Object>) get).getOrDefault("scheme", "HTTP")).toLowerCase();
            URI uri = URI.create(scheme + "://" + ip + ":" + get.get("port") + get.get("path"));
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(timeout));
            for (Map<String, Object> h : (List<Map<String, Object>>) ((Map<String, Object>) get).getOrDefault("httpHeaders", List.of())) {
                request.header((String) h.get("name"), (String) h.get("value"));
            }
            try {
                int status = FleetClient.HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                return status >= 200 && status < 400 ? null : "GET " + uri + " answered " + status;
            } catch (IOException e) {
                return "GET " + uri + ": " + e;
            }
        }
        if (probe.get("tcpSocket") instanceof Map<?, ?> tcp) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(ip, ((Number) tcp.get("port")).intValue()), timeout * 1000);
                return null;
            } catch (IOException e) {
                return "connect " + ip + ":" + tcp.get("port") + ": " + e;
            }
        }
        if (probe.get("exec") instanceof Map<?, ?> exec) {
            List<String> command = new ArrayList<>(List.of("podman", "exec", container));
            command.addAll((List<String>) exec.get("command"));
            // The kubelet's exec probes get the probe's timeout; podman exec starts slower, so allow a little more.
            Podman.Result r = Podman.run(Duration.ofSeconds(timeout + 20), work.resolve("probe-" + container + ".log"),
                    command.toArray(String[]::new));
            return r.ok() ? null : String.join(" ", command) + " exited " + r.exit();
        }
        return "no probe action in " + probe;
    }

    static String podIp(String pod) throws IOException {
        Path out = work.resolve("ip-" + pod + ".txt");
        Files.deleteIfExists(out);
        Podman.Result r = Podman.run(Duration.ofSeconds(30), out, "sh", "-c",
                "podman inspect --format '{{(index .NetworkSettings.Networks \"" + NETWORK + "\").IPAddress}}' "
                        + "$(podman pod inspect --format '{{.InfraContainerID}}' " + pod + ")");
        String ip = Files.readString(out).trim();
        assertThat(r.ok() && ip.matches("[0-9.]+")).as("address of pod %s: %s", pod, ip).isTrue();
        return ip;
    }

    static Podman.Result run(String log, String... command) {
        return Podman.run(Duration.ofMinutes(5), work.resolve(log + ".log"), command);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
