package io.sdfleet.deploy;

import com.marcnuri.helm.LintResult;
import io.sdfleet.deploy.Chart.Rendered;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.sdfleet.deploy.Chart.FULLNAME;
import static io.sdfleet.deploy.Chart.NAMESPACE;
import static io.sdfleet.deploy.Chart.Rendered.env;
import static io.sdfleet.deploy.Chart.at;
import static io.sdfleet.deploy.Chart.str;
import static io.sdfleet.deploy.Chart.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Lints helm/sdfleet and renders it with its default values and with variants, checking the objects made. */
class HelmChartTest {

    private static final String SECRET = FULLNAME + "-credentials";
    private static final String DEPLOYMENT = "Deployment";
    private static final String NETWORK_POLICY = "NetworkPolicy";
    private static final List<String> SERVICES = List.of("gateway", "scheduler", "storage", "worker-cpu");
    private static final String TOKEN_A = "a".repeat(20) + "0123456789abcdef";
    private static final String TOKEN_B = "b".repeat(20) + "0123456789abcdef";

    @TempDir
    Path work;

    @AfterEach
    void forgetSecrets() {
        FakeKubeApi.start().clearSecrets();
    }

    @Test
    void lintPassesStrictlyWithTheDefaultValues() {
        LintResult result = Chart.lint();

        assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void lintPassesWithEveryOptionalPartEnabled() {
        LintResult result = Chart.lintWith(values(
                "workers.gpu.enabled", true,
                "autoscaling.keda.enabled", true,
                "gateway.ingress.enabled", true,
                "gateway.cors.allowOrigins", List.of("https://app.example.com"),
                "gateway.cors.allowOriginsRegex", "https://.*\\.example\\.org",
                "rabbitmq.enabled", false, "external.rabbitmq.host", "rabbit.example",
                "postgresql.enabled", false, "external.postgresql.host", "pg.example",
                "minio.enabled", false, "external.s3.endpoint", "https://s3.example",
                "credentials.internal.token", TOKEN_A,
                "credentials.internal.acceptedTokens", TOKEN_B,
                "networkPolicy.gatewayFrom", List.of(Map.of("namespaceSelector",
                        Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "ingress-nginx")))),
                "networkPolicy.metricsNamespaceSelector", Map.of("kubernetes.io/metadata.name", "monitoring"),
                "networkPolicy.metricsPodSelector", Map.of("app.kubernetes.io/name", "prometheus")), work);

        assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
    }

    @Test
    void lintPassesWithKedaReadingTheBundledBrokerThroughItsNetworkPolicy() {
        LintResult result = Chart.lintWith(values(
                "workers.gpu.enabled", true,
                "autoscaling.keda.enabled", true,
                "networkPolicy.metricsPodSelector", Map.of("app.kubernetes.io/name", "prometheus")), work);

        assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void defaultValuesRenderTheFourServicesAndTheBundledInfrastructure() {
        Rendered r = Chart.template(Map.of(), work);

        assertThat(r.names(DEPLOYMENT)).containsExactlyInAnyOrder(
                FULLNAME + "-gateway", FULLNAME + "-scheduler", FULLNAME + "-storage", FULLNAME + "-worker-cpu");
        assertThat(r.names("Service")).containsExactlyInAnyOrder(FULLNAME + "-gateway", FULLNAME + "-storage",
                FULLNAME + "-rabbitmq", FULLNAME + "-postgresql", FULLNAME + "-minio");
        assertThat(r.names("StatefulSet")).containsExactlyInAnyOrder(
                FULLNAME + "-rabbitmq", FULLNAME + "-postgresql", FULLNAME + "-minio");
        assertThat(r.names("Secret")).containsExactly(SECRET);
        assertThat(r.names("PersistentVolumeClaim")).containsExactly(FULLNAME + "-models");
        assertThat(r.names("ServiceAccount")).containsExactly(FULLNAME);
        assertThat(r.ofKind("ScaledObject")).isEmpty();
        assertThat(r.ofKind("HorizontalPodAutoscaler")).isEmpty();

        // Kubernetes recommended labels everywhere, and selectors that tell the components apart.
        for (Map<String, Object> o : r.objects()) {
            Map<String, String> labels = at(o, "metadata.labels");
            assertThat(labels).as("labels of %s %s", o.get("kind"), str(o, "metadata.name"))
                    .containsEntry("app.kubernetes.io/name", "sdfleet")
                    .containsEntry("app.kubernetes.io/instance", Chart.RELEASE)
                    .containsEntry("app.kubernetes.io/managed-by", "Helm")
                    .containsEntry("app.kubernetes.io/part-of", "sdfleet")
                    .containsKeys("app.kubernetes.io/version", "app.kubernetes.io/component", "helm.sh/chart");
        }
        for (Map<String, Object> d : r.ofKind(DEPLOYMENT)) {
            Map<String, String> selector = at(d, "spec.selector.matchLabels");
            assertThat((Map<String, String>) at(d, "spec.template.metadata.labels")).containsAllEntriesOf(selector);
            assertThat(selector).containsKey("app.kubernetes.io/component");
        }

        assertThat(str(r.container(DEPLOYMENT, FULLNAME + "-gateway"), "image")).isEqualTo("sdfleet/gateway:0.1.0");
        assertThat(str(r.container(DEPLOYMENT, FULLNAME + "-worker-cpu"), "image")).isEqualTo("sdfleet/worker:0.1.0");
        assertThat(str(r.get("Service", FULLNAME + "-gateway"), "spec.ports.0.port")).isEqualTo("7860");
        assertThat(str(r.get("Service", FULLNAME + "-storage"), "spec.ports.0.port")).isEqualTo("7863");
    }

    @Test
    void probesUseTheActuatorHealthGroupsOnEachServicesPort() {
        Rendered r = Chart.template(values("workers.gpu.enabled", true), work);

        Map<String, Integer> ports = Map.of(
                "gateway", 7860, "storage", 7863, "scheduler", 8081, "worker-cpu", 8081, "worker-gpu", 8081);
        ports.forEach((component, port) -> {
            Map<String, Object> c = r.container(DEPLOYMENT, FULLNAME + "-" + component);
            String portName = str(c, "readinessProbe.httpGet.port");
            List<Map<String, Object>> declared = at(c, "ports");
            assertThat(declared).as(component).anySatisfy(p -> {
                assertThat(p.get("name")).isEqualTo(portName);
                assertThat(p.get("containerPort")).isEqualTo(port);
            });
            assertThat(str(c, "readinessProbe.httpGet.path")).as(component).isEqualTo("/actuator/health/readiness");
            assertThat(str(c, "livenessProbe.httpGet.path")).as(component).isEqualTo("/actuator/health/liveness");
            assertThat(str(c, "livenessProbe.httpGet.port")).as(component).isEqualTo(portName);
            assertThat(str(c, "startupProbe.httpGet.port")).as(component).isEqualTo(portName);
        });
        // Services without a web port of their own get the management port from the environment.
        for (String component : List.of("scheduler", "worker-cpu", "worker-gpu")) {
            var env = env(r.container(DEPLOYMENT, FULLNAME + "-" + component));
            assertThat(str(env.get("MANAGEMENT_SERVER_PORT"), "value")).as(component).isEqualTo("8081");
        }
        assertThat(str(env(r.container(DEPLOYMENT, FULLNAME + "-gateway")).get("GATEWAY_PORT"), "value")).isEqualTo("7860");
        assertThat(str(env(r.container(DEPLOYMENT, FULLNAME + "-storage")).get("STORAGE_PORT"), "value")).isEqualTo("7863");
    }

    @Test
    void credentialsReachThePodsFromTheSecretAndEndpointsPointAtTheBundledServers() {
        Rendered r = Chart.template(Map.of(), work);

        var storage = env(r.container(DEPLOYMENT, FULLNAME + "-storage"));
        // Storage, the gateway (users, keys, quotas in its own schema) and the scheduler (its durable state, ditto)
        // share the database.
        for (String component : List.of("storage", "gateway", "scheduler")) {
            var env = env(r.container(DEPLOYMENT, FULLNAME + "-" + component));
            assertThat(str(env.get("SDFLEET_DB_URL"), "value")).as(component)
                    .isEqualTo("jdbc:postgresql://" + FULLNAME + "-postgresql:5432/sdfleet");
            assertSecretRef(env, "SDFLEET_DB_USER", SECRET, "postgresql-username");
            assertSecretRef(env, "SDFLEET_DB_PASSWORD", SECRET, "postgresql-password");
        }
        assertSecretRef(storage, "SDFLEET_S3_ACCESS_KEY", SECRET, "s3-access-key");
        assertSecretRef(storage, "SDFLEET_S3_SECRET_KEY", SECRET, "s3-secret-key");
        assertThat(str(storage.get("SDFLEET_DB_URL"), "value"))
                .isEqualTo("jdbc:postgresql://" + FULLNAME + "-postgresql:5432/sdfleet");
        assertThat(str(storage.get("SDFLEET_S3_ENDPOINT"), "value")).isEqualTo("http://" + FULLNAME + "-minio:9000");
        assertThat(str(storage.get("SDFLEET_S3_BUCKET"), "value")).isEqualTo("sdfleet-images");
        for (String component : List.of("gateway", "scheduler", "storage", "worker-cpu")) {
            var env = env(r.container(DEPLOYMENT, FULLNAME + "-" + component));
            assertThat(str(env.get("SDFLEET_AMQP_HOST"), "value")).as(component).isEqualTo(FULLNAME + "-rabbitmq");
            assertThat(str(env.get("SDFLEET_AMQP_PORT"), "value")).as(component).isEqualTo("5672");
            assertSecretRef(env, "SDFLEET_AMQP_USER", SECRET, "rabbitmq-username");
            assertSecretRef(env, "SDFLEET_AMQP_PASSWORD", SECRET, "rabbitmq-password");
        }
        // The bundled servers take the same credentials.
        assertSecretRef(env(r.container("StatefulSet", FULLNAME + "-postgresql")), "POSTGRES_PASSWORD", SECRET, "postgresql-password");
        assertSecretRef(env(r.container("StatefulSet", FULLNAME + "-rabbitmq")), "RABBITMQ_DEFAULT_PASS", SECRET, "rabbitmq-password");
        // jobs and held requests may stay unacknowledged longer than RabbitMQ's default 30 min consumer timeout
        assertThat(str(env(r.container("StatefulSet", FULLNAME + "-rabbitmq")).get("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"),
                "value")).isEqualTo("-rabbit consumer_timeout 86400000");
        assertSecretRef(env(r.container("StatefulSet", FULLNAME + "-minio")), "MINIO_ROOT_PASSWORD", SECRET, "s3-secret-key");

        Map<String, String> secret = decoded(r.get("Secret", SECRET));
        assertThat(secret).containsEntry("rabbitmq-username", "sdfleet").containsEntry("postgresql-username", "sdfleet")
                .containsEntry("s3-access-key", "sdfleet");
        assertThat(secret.get("rabbitmq-password")).hasSize(24).isAlphanumeric();
        assertThat(secret.get("postgresql-password")).hasSize(24).isAlphanumeric();
        assertThat(secret.get("s3-secret-key")).hasSize(32).isAlphanumeric();
        // No password is written into a pod spec.
        for (Map<String, Object> workload : r.objects()) {
            if (!List.of(DEPLOYMENT, "StatefulSet").contains(workload.get("kind"))) continue;
            assertThat(env(r.container((String) workload.get("kind"), str(workload, "metadata.name"))).values())
                    .as("env of %s", str(workload, "metadata.name"))
                    .noneMatch(e -> List.of(secret.get("rabbitmq-password"), secret.get("postgresql-password"),
                            secret.get("s3-secret-key"), secret.get("internal-token")).contains(String.valueOf(e.get("value"))));
        }

        // Models: the claim mounted read-only where SDFLEET_MODELS_DIR points, on the gateway and the workers.
        for (String component : List.of("gateway", "worker-cpu")) {
            Map<String, Object> d = r.get(DEPLOYMENT, FULLNAME + "-" + component);
            var env = env(r.container(DEPLOYMENT, FULLNAME + "-" + component));
            assertThat(str(env.get("SDFLEET_MODELS_DIR"), "value")).isEqualTo("/models");
            assertThat(str(env.get("SDFLEET_STORAGE_URL"), "value")).isEqualTo("http://" + FULLNAME + "-storage:7863");
            List<Map<String, Object>> mounts = at(r.container(DEPLOYMENT, FULLNAME + "-" + component), "volumeMounts");
            assertThat(mounts).anySatisfy(m -> {
                assertThat(m).containsEntry("name", "models").containsEntry("mountPath", "/models").containsEntry("readOnly", true);
            });
            List<Map<String, Object>> volumes = at(d, "spec.template.spec.volumes");
            assertThat(volumes).anySatisfy(v -> {
                assertThat(v.get("name")).isEqualTo("models");
                assertThat(str(v, "persistentVolumeClaim.claimName")).isEqualTo(FULLNAME + "-models");
            });
        }
    }

    @Test
    void anExistingModelsClaimIsMountedAndNoneIsCreated() {
        Rendered r = Chart.template(values("models.persistence.existingClaim", "team-models"), work);

        assertThat(r.ofKind("PersistentVolumeClaim")).isEmpty();
        List<Map<String, Object>> volumes = at(r.get(DEPLOYMENT, FULLNAME + "-worker-cpu"), "spec.template.spec.volumes");
        assertThat(volumes).anySatisfy(v -> assertThat(str(v, "persistentVolumeClaim.claimName")).isEqualTo("team-models"));
    }

    @Test
    void gpuWorkersRequestGpusOnTheNodesAndTolerationsFromValues() {
        Rendered r = Chart.template(values(
                "workers.cpu.enabled", false,
                "workers.gpu.enabled", true,
                "workers.gpu.replicaCount", 3,
                "workers.gpu.gpu.count", 2,
                "workers.gpu.nodeSelector", Map.of("cloud.example/accelerator", "h100"),
                "workers.gpu.tolerations", List.of(Map.of("key", "gpu-pool", "operator", "Equal", "value", "yes",
                        "effect", "NoSchedule"))), work);

        assertThat(r.names(DEPLOYMENT)).contains(FULLNAME + "-worker-gpu").doesNotContain(FULLNAME + "-worker-cpu");
        Map<String, Object> d = r.get(DEPLOYMENT, FULLNAME + "-worker-gpu");
        Map<String, Object> c = r.container(DEPLOYMENT, FULLNAME + "-worker-gpu");
        assertThat(str(d, "spec.replicas")).isEqualTo("3");
        Map<String, Object> limits = at(c, "resources.limits");
        assertThat(limits).containsEntry("nvidia.com/gpu", 2).containsEntry("memory", "24Gi");
        Map<String, Object> nodeSelector = at(d, "spec.template.spec.nodeSelector");
        // Helm merges maps with the defaults (set a default key to null to drop it).
        assertThat(nodeSelector).containsEntry("cloud.example/accelerator", "h100");
        List<Map<String, Object>> tolerations = at(d, "spec.template.spec.tolerations");
        assertThat(tolerations).containsExactly(Map.of("key", "gpu-pool", "operator", "Equal", "value", "yes",
                "effect", "NoSchedule"));
        assertThat(str(env(c).get("SDFLEET_DEVICE"), "value")).isEqualTo("gpu");
        assertThat(str(c, "image")).isEqualTo("sdfleet/worker-gpu:0.1.0");
    }

    @Test
    void gpuDefaultsTolerateTheNvidiaTaintAndCpuAndGpuWorkersRunSideBySide() {
        Rendered r = Chart.template(values("workers.gpu.enabled", true), work);

        Map<String, Object> gpu = r.get(DEPLOYMENT, FULLNAME + "-worker-gpu");
        Map<String, Object> cpu = r.get(DEPLOYMENT, FULLNAME + "-worker-cpu");
        assertThat((List<Map<String, Object>>) at(gpu, "spec.template.spec.tolerations"))
                .anySatisfy(t -> assertThat(t).containsEntry("key", "nvidia.com/gpu").containsEntry("effect", "NoSchedule"));
        assertThat((Map<String, Object>) at(gpu, "spec.template.spec.nodeSelector")).containsEntry("nvidia.com/gpu.present", "true");
        assertThat((Map<String, Object>) at(r.container(DEPLOYMENT, FULLNAME + "-worker-gpu"), "resources.limits"))
                .containsEntry("nvidia.com/gpu", 1);
        assertThat((Map<String, Object>) at(r.container(DEPLOYMENT, FULLNAME + "-worker-cpu"), "resources.limits"))
                .doesNotContainKey("nvidia.com/gpu");
        assertThat((Object) at(cpu, "spec.template.spec.tolerations")).isNull();
        assertThat(str(env(r.container(DEPLOYMENT, FULLNAME + "-worker-cpu")).get("SDFLEET_DEVICE"), "value")).isEqualTo("cpu");
        assertThat((Map<String, Object>) at(gpu, "spec.selector.matchLabels"))
                .isNotEqualTo(at(cpu, "spec.selector.matchLabels"));
    }

    @Test
    void kedaScalesEachWorkerDeploymentOnTheJobsQueueWithCredentialsFromTheSecret() {
        Rendered r = Chart.template(values(
                "workers.gpu.enabled", true,
                "autoscaling.keda.enabled", true,
                "autoscaling.minReplicas", 0,
                "autoscaling.maxReplicas", 6), work);

        assertThat(r.names("ScaledObject")).containsExactlyInAnyOrder(FULLNAME + "-worker-cpu", FULLNAME + "-worker-gpu");
        assertThat(r.ofKind("HorizontalPodAutoscaler")).isEmpty();
        for (String variant : List.of("cpu", "gpu")) {
            Map<String, Object> so = r.get("ScaledObject", FULLNAME + "-worker-" + variant);
            assertThat(str(so, "apiVersion")).isEqualTo("keda.sh/v1alpha1");
            assertThat(str(so, "spec.scaleTargetRef.kind")).isEqualTo(DEPLOYMENT);
            assertThat(str(so, "spec.scaleTargetRef.name")).isEqualTo(FULLNAME + "-worker-" + variant);
            assertThat(r.names(DEPLOYMENT)).contains(str(so, "spec.scaleTargetRef.name"));
            assertThat(str(so, "spec.minReplicaCount")).isEqualTo("0");
            assertThat(str(so, "spec.maxReplicaCount")).isEqualTo("6");
            List<Map<String, Object>> triggers = at(so, "spec.triggers");
            assertThat(triggers).hasSize(1);
            assertThat(str(triggers.get(0), "type")).isEqualTo("rabbitmq");
            assertThat(str(triggers.get(0), "metadata.queueName")).isEqualTo("sdfleet.jobs");
            assertThat(str(triggers.get(0), "metadata.mode")).isEqualTo("QueueLength");
            assertThat(str(triggers.get(0), "metadata.value")).isEqualTo("1");
            assertThat(str(triggers.get(0), "authenticationRef.name")).isEqualTo(FULLNAME + "-rabbitmq");
            // The autoscaler owns the replica count.
            assertThat((Object) at(r.get(DEPLOYMENT, FULLNAME + "-worker-" + variant), "spec.replicas")).isNull();
        }
        Map<String, Object> auth = r.get("TriggerAuthentication", FULLNAME + "-rabbitmq");
        List<Map<String, Object>> refs = at(auth, "spec.secretTargetRef");
        assertThat(refs).containsExactly(Map.of("parameter", "host", "name", SECRET, "key", "rabbitmq-keda-host"));
        Map<String, String> secret = decoded(r.get("Secret", SECRET));
        assertThat(secret.get("rabbitmq-keda-host")).isEqualTo(
                "http://sdfleet:" + secret.get("rabbitmq-password") + "@" + FULLNAME + "-rabbitmq:15672/");
    }

    @Test
    void kedaFollowsTheMessagingPrefixAndTheAmqpProtocol() {
        Rendered r = Chart.template(values(
                "autoscaling.keda.enabled", true,
                "autoscaling.keda.protocol", "amqp",
                "messaging.prefix", "team-a."), work);

        Map<String, Object> trigger = at(r.get("ScaledObject", FULLNAME + "-worker-cpu"), "spec.triggers.0");
        assertThat(str(trigger, "metadata.queueName")).isEqualTo("team-a.sdfleet.jobs");
        assertThat(str(trigger, "metadata.protocol")).isEqualTo("amqp");
        assertThat(decoded(r.get("Secret", SECRET)).get("rabbitmq-keda-host"))
                .startsWith("amqp://sdfleet:").endsWith("@" + FULLNAME + "-rabbitmq:5672/%2F");
        assertThat(str(env(r.container(DEPLOYMENT, FULLNAME + "-worker-cpu")).get("SDFLEET_MESSAGING_PREFIX"), "value"))
                .isEqualTo("team-a.");
    }

    @Test
    void anHpaOnCpuScalesTheWorkersWhenKedaIsOff() {
        Rendered r = Chart.template(values(
                "autoscaling.hpa.enabled", true,
                "autoscaling.minReplicas", 2,
                "autoscaling.maxReplicas", 5), work);

        assertThat(r.ofKind("ScaledObject")).isEmpty();
        assertThat(r.ofKind("TriggerAuthentication")).isEmpty();
        Map<String, Object> hpa = r.get("HorizontalPodAutoscaler", FULLNAME + "-worker-cpu");
        assertThat(str(hpa, "apiVersion")).isEqualTo("autoscaling/v2");
        assertThat(str(hpa, "spec.scaleTargetRef.kind")).isEqualTo(DEPLOYMENT);
        assertThat(str(hpa, "spec.scaleTargetRef.name")).isEqualTo(FULLNAME + "-worker-cpu");
        assertThat(str(hpa, "spec.minReplicas")).isEqualTo("2");
        assertThat(str(hpa, "spec.maxReplicas")).isEqualTo("5");
        assertThat(str(hpa, "spec.metrics.0.resource.name")).isEqualTo("cpu");
        assertThat(str(hpa, "spec.metrics.0.resource.target.averageUtilization")).isEqualTo("80");
        assertThat((Object) at(r.get(DEPLOYMENT, FULLNAME + "-worker-cpu"), "spec.replicas")).isNull();
    }

    @Test
    void kedaWinsWhenBothAutoscalersAreEnabled() {
        Rendered r = Chart.template(values("autoscaling.hpa.enabled", true, "autoscaling.keda.enabled", true), work);

        assertThat(r.names("ScaledObject")).containsExactly(FULLNAME + "-worker-cpu");
        assertThat(r.ofKind("HorizontalPodAutoscaler")).isEmpty();
    }

    @Test
    void externalInfrastructureReplacesTheBundledServers() {
        Rendered r = Chart.template(values(
                "rabbitmq.enabled", false, "external.rabbitmq.host", "rabbit.infra.svc", "external.rabbitmq.port", 5671,
                "external.rabbitmq.vhost", "sdfleet",
                "postgresql.enabled", false, "external.postgresql.host", "pg.infra.svc",
                "external.postgresql.database", "images", "external.postgresql.jdbcParameters", "?sslmode=require",
                "minio.enabled", false, "external.s3.endpoint", "https://s3.eu-west-1.amazonaws.com"), work);

        assertThat(r.ofKind("StatefulSet")).isEmpty();
        assertThat(r.names("Service")).containsExactlyInAnyOrder(FULLNAME + "-gateway", FULLNAME + "-storage");
        var storage = env(r.container(DEPLOYMENT, FULLNAME + "-storage"));
        assertThat(str(storage.get("SDFLEET_DB_URL"), "value")).isEqualTo("jdbc:postgresql://pg.infra.svc:5432/images?sslmode=require");
        assertThat(str(storage.get("SDFLEET_S3_ENDPOINT"), "value")).isEqualTo("https://s3.eu-west-1.amazonaws.com");
        for (String component : List.of("gateway", "scheduler", "storage", "worker-cpu")) {
            var env = env(r.container(DEPLOYMENT, FULLNAME + "-" + component));
            assertThat(str(env.get("SDFLEET_AMQP_HOST"), "value")).as(component).isEqualTo("rabbit.infra.svc");
            assertThat(str(env.get("SDFLEET_AMQP_PORT"), "value")).as(component).isEqualTo("5671");
            assertThat(str(env.get("SPRING_RABBITMQ_VIRTUAL_HOST"), "value")).as(component).isEqualTo("sdfleet");
        }
    }

    @Test
    void existingSecretsAreReferencedAndNoSecretIsRendered() {
        Rendered r = Chart.template(values(
                "credentials.rabbitmq.existingSecret", "mq-creds", "credentials.rabbitmq.passwordKey", "pass",
                "credentials.postgresql.existingSecret", "db-creds",
                "credentials.s3.existingSecret", "s3-creds", "credentials.s3.secretKeyKey", "secret",
                "credentials.internal.existingSecret", "fleet-internal", "credentials.internal.tokenKey", "token",
                "credentials.admin.existingSecret", "admin-creds", "autoscaling.keda.enabled", true), work);

        assertThat(r.ofKind("Secret")).isEmpty();
        var storage = env(r.container(DEPLOYMENT, FULLNAME + "-storage"));
        assertSecretRef(storage, "SDFLEET_AMQP_USER", "mq-creds", "rabbitmq-username");
        assertSecretRef(storage, "SDFLEET_AMQP_PASSWORD", "mq-creds", "pass");
        assertSecretRef(storage, "SDFLEET_DB_PASSWORD", "db-creds", "postgresql-password");
        assertSecretRef(storage, "SDFLEET_S3_ACCESS_KEY", "s3-creds", "s3-access-key");
        assertSecretRef(storage, "SDFLEET_S3_SECRET_KEY", "s3-creds", "secret");
        assertSecretRef(env(r.container("StatefulSet", FULLNAME + "-postgresql")), "POSTGRES_PASSWORD", "db-creds", "postgresql-password");
        assertThat(str(r.get("TriggerAuthentication", FULLNAME + "-rabbitmq"), "spec.secretTargetRef.0.name")).isEqualTo("mq-creds");
        for (String component : SERVICES) {
            assertSecretRef(env(r.container(DEPLOYMENT, FULLNAME + "-" + component)), "SDFLEET_INTERNAL_TOKEN", "fleet-internal", "token");
        }
    }

    @Test
    void oneExistingSecretLeavesTheOtherCredentialsInTheChartsSecret() {
        Rendered r = Chart.template(values("credentials.postgresql.existingSecret", "db-creds"), work);

        assertThat(decoded(r.get("Secret", SECRET))).containsKeys("rabbitmq-password", "s3-secret-key")
                .doesNotContainKeys("postgresql-password", "postgresql-username");
        assertSecretRef(env(r.container(DEPLOYMENT, FULLNAME + "-storage")), "SDFLEET_DB_PASSWORD", "db-creds", "postgresql-password");
    }

    @Test
    void anUpgradeKeepsThePasswordsGeneratedAtInstall() {
        FakeKubeApi.start().putSecret(NAMESPACE, SECRET, Map.of(
                "rabbitmq-password", "mq-from-install", "postgresql-password", "db-from-install",
                "s3-secret-key", "s3-from-install", "internal-token", TOKEN_A));

        Map<String, String> secret = decoded(Chart.template(Map.of(), work).get("Secret", SECRET));

        assertThat(secret).containsEntry("rabbitmq-password", "mq-from-install")
                .containsEntry("postgresql-password", "db-from-install")
                .containsEntry("s3-secret-key", "s3-from-install")
                .containsEntry("internal-token", TOKEN_A);
    }

    @Test
    void passwordsGivenInValuesWin() {
        FakeKubeApi.start().putSecret(NAMESPACE, SECRET, Map.of("postgresql-password", "old"));

        Map<String, String> secret = decoded(Chart.template(values("credentials.postgresql.password", "chosen"), work)
                .get("Secret", SECRET));

        assertThat(secret).containsEntry("postgresql-password", "chosen");
    }

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                Arguments.of("negative replicas", values("gateway.replicaCount", -1), "/gateway/replicaCount"),
                Arguments.of("replicas of the wrong type", values("workers.cpu.replicaCount", "two"), "/workers/cpu/replicaCount"),
                Arguments.of("a boolean given as text", values("workers.gpu.enabled", "yes"), "/workers/gpu/enabled"),
                Arguments.of("a port out of range", values("workers.managementPort", 70000), "/workers/managementPort"),
                Arguments.of("an unknown KEDA protocol", values("autoscaling.keda.protocol", "ftp"), "/autoscaling/keda/protocol"),
                Arguments.of("a misspelt key", values("gateway.replicas", 2), "replicas"),
                Arguments.of("zero GPUs", values("workers.gpu.gpu.count", 0), "/workers/gpu/gpu/count"),
                Arguments.of("a bad service type", values("gateway.service.type", "Ingress"), "/gateway/service/type"),
                Arguments.of("external RabbitMQ without a host", values("rabbitmq.enabled", false), "host"),
                Arguments.of("external S3 without an endpoint", values("minio.enabled", false), "endpoint"),
                Arguments.of("an internal token shorter than 32 characters", values("credentials.internal.token",
                        "x".repeat(31)), "/credentials/internal/token"),
                Arguments.of("network policies switched by text", values("networkPolicy.enabled", "no"), "/networkPolicy/enabled"),
                Arguments.of("CORS origins given as one text", values("gateway.cors.allowOrigins",
                        "https://a.example,https://b.example"), "/gateway/cors/allowOrigins"),
                Arguments.of("two CORS origins in one entry", values("gateway.cors.allowOrigins",
                        List.of("https://a.example,https://b.example")), "/gateway/cors/allowOrigins/0"),
                Arguments.of("a misspelt network policy key", values("networkPolicy.metricsSelector", Map.of("a", "b")),
                        "metricsSelector"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidValues")
    void invalidValuesFailTemplateBecauseOfTheSchema(String what, Map<String, Object> values, String where) {
        assertThatThrownBy(() -> Chart.template(values, work))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(where);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidValues")
    void invalidValuesFailLintBecauseOfTheSchema(String what, Map<String, Object> values, String where) {
        LintResult result = Chart.lintWith(values, work);

        assertThat(result.isFailed()).as("lint passed with %s", what).isTrue();
        assertThat(String.join("\n", result.getMessages()))
                .contains("values don't meet the specifications of the schema").contains(where);
    }

    @Test
    void anHpaCannotScaleToZero() {
        assertThatThrownBy(() -> Chart.template(values("autoscaling.hpa.enabled", true, "autoscaling.minReplicas", 0), work))
                .hasMessageContaining("autoscaling.minReplicas must be at least 1 with an HPA");
    }

    @Test
    void theInternalTokenIsGeneratedInTheSecretAndEveryServiceReadsIt() {
        Rendered r = Chart.template(values("workers.gpu.enabled", true), work);

        String token = decoded(r.get("Secret", SECRET)).get("internal-token");
        assertThat(token).hasSize(48).isAlphanumeric();
        for (String component : List.of("gateway", "scheduler", "storage", "worker-cpu", "worker-gpu")) {
            var env = env(r.container(DEPLOYMENT, FULLNAME + "-" + component));
            assertSecretRef(env, "SDFLEET_INTERNAL_TOKEN", SECRET, "internal-token");
            assertThat(env).as(component).doesNotContainKey("SDFLEET_INTERNAL_ACCEPTED_TOKENS");
        }
        // Each render without a Secret in the cluster generates a fresh one; an upgrade reads it back (below).
        assertThat(decoded(Chart.template(Map.of(), work).get("Secret", SECRET)).get("internal-token")).isNotEqualTo(token);
    }

    /** Was: no value for the admin key, so with authentication on nobody could ever get an API key. */
    @Test
    void theBootstrapAdminKeyIsGeneratedOnceAndOnlyTheGatewayReadsIt() {
        Rendered r = Chart.template(values("workers.gpu.enabled", true), work);

        String key = decoded(r.get("Secret", SECRET)).get("admin-key");
        assertThat(key).startsWith("sdf_").hasSize(44);
        assertSecretRef(env(r.container(DEPLOYMENT, FULLNAME + "-gateway")), "SDFLEET_ADMIN_KEY", SECRET, "admin-key");
        for (String component : List.of("scheduler", "storage", "worker-cpu", "worker-gpu")) {
            assertThat(env(r.container(DEPLOYMENT, FULLNAME + "-" + component))).as(component)
                    .doesNotContainKey("SDFLEET_ADMIN_KEY");
        }
        FakeKubeApi.start().putSecret(NAMESPACE, SECRET, Map.of("admin-key", "sdf_kept-from-the-first-install"));
        assertThat(decoded(Chart.template(Map.of(), work).get("Secret", SECRET)))
                .as("an upgrade keeps the key the admin user was created with")
                .containsEntry("admin-key", "sdf_kept-from-the-first-install");
    }

    @Test
    void anExistingAdminSecretIsReferenced() {
        Rendered r = Chart.template(values("credentials.admin.existingSecret", "team-admin",
                "credentials.admin.keyKey", "key"), work);

        assertSecretRef(env(r.container(DEPLOYMENT, FULLNAME + "-gateway")), "SDFLEET_ADMIN_KEY", "team-admin", "key");
        assertThat(decoded(r.get("Secret", SECRET))).doesNotContainKey("admin-key");
    }

    @Test
    void anInternalTokenGivenInValuesWinsOverTheOneInTheCluster() {
        FakeKubeApi.start().putSecret(NAMESPACE, SECRET, Map.of("internal-token", TOKEN_B));

        Map<String, String> secret = decoded(Chart.template(values("credentials.internal.token", TOKEN_A), work)
                .get("Secret", SECRET));

        assertThat(secret).containsEntry("internal-token", TOKEN_A);
    }

    @Test
    void anExistingInternalSecretIsReferencedAndTheChartsSecretHoldsNoToken() {
        Rendered r = Chart.template(values(
                "credentials.internal.existingSecret", "fleet-internal", "credentials.internal.tokenKey", "token"), work);

        assertThat(decoded(r.get("Secret", SECRET))).containsKey("rabbitmq-password")
                .doesNotContainKeys("internal-token", "token", "internal-accepted-tokens");
        for (String component : SERVICES) {
            assertSecretRef(env(r.container(DEPLOYMENT, FULLNAME + "-" + component)), "SDFLEET_INTERNAL_TOKEN", "fleet-internal", "token");
        }
    }

    @Test
    void anInternalTokenShorterThan32CharactersFailsTheRender() {
        assertThatThrownBy(() -> Chart.template(values("credentials.internal.token", "short-token"), work))
                .hasMessageContaining("/credentials/internal/token")
                .hasMessageContaining("want 32");
        assertThatThrownBy(() -> Chart.template(values("credentials.internal.acceptedTokens", TOKEN_A + ",too-short"), work))
                .hasMessageContaining("credentials.internal.acceptedTokens must be at least 32 characters");
    }

    @Test
    void acceptedTokensReachEveryServiceFromTheChartsSecretEvenWithAnExistingOne() {
        String accepted = TOKEN_A + "," + TOKEN_B;
        Rendered r = Chart.template(values(
                "credentials.rabbitmq.existingSecret", "mq-creds", "credentials.postgresql.existingSecret", "db-creds",
                "credentials.s3.existingSecret", "s3-creds", "credentials.internal.existingSecret", "fleet-internal",
                "credentials.admin.existingSecret", "admin-creds", "credentials.internal.acceptedTokens", accepted), work);

        // Only the rotation's tokens are left for the chart's Secret to hold.
        assertThat(decoded(r.get("Secret", SECRET))).containsExactly(Map.entry("internal-accepted-tokens", accepted));
        for (String component : SERVICES) {
            var env = env(r.container(DEPLOYMENT, FULLNAME + "-" + component));
            assertSecretRef(env, "SDFLEET_INTERNAL_TOKEN", "fleet-internal", "internal-token");
            assertSecretRef(env, "SDFLEET_INTERNAL_ACCEPTED_TOKENS", SECRET, "internal-accepted-tokens");
        }
    }

    @Test
    void corsReachesTheGatewayOnlyWhenSet() {
        Rendered none = Chart.template(Map.of(), work);
        for (String component : SERVICES) {
            assertThat(env(none.container(DEPLOYMENT, FULLNAME + "-" + component))).as(component)
                    .doesNotContainKeys("SDFLEET_CORS_ALLOW_ORIGINS", "SDFLEET_CORS_ALLOW_ORIGINS_REGEX");
        }

        Rendered r = Chart.template(values("gateway.cors.allowOrigins",
                List.of("https://app.example.com", "http://localhost:3000"),
                "gateway.cors.allowOriginsRegex", "https://.*\\.example\\.org"), work);
        var gateway = env(r.container(DEPLOYMENT, FULLNAME + "-gateway"));
        assertThat(gateway.get("SDFLEET_CORS_ALLOW_ORIGINS"))
                .containsEntry("value", "https://app.example.com,http://localhost:3000");
        assertThat(gateway.get("SDFLEET_CORS_ALLOW_ORIGINS_REGEX")).containsEntry("value", "https://.*\\.example\\.org");
        for (String component : List.of("scheduler", "storage", "worker-cpu")) {
            assertThat(env(r.container(DEPLOYMENT, FULLNAME + "-" + component))).as(component)
                    .doesNotContainKeys("SDFLEET_CORS_ALLOW_ORIGINS", "SDFLEET_CORS_ALLOW_ORIGINS_REGEX");
        }
        assertThat(env(Chart.template(values("gateway.cors.allowOriginsRegex", "https://.*\\.example\\.org"), work)
                .container(DEPLOYMENT, FULLNAME + "-gateway"))).as("the regex alone")
                .containsKey("SDFLEET_CORS_ALLOW_ORIGINS_REGEX").doesNotContainKey("SDFLEET_CORS_ALLOW_ORIGINS");
    }

    @Test
    void networkPoliciesAdmitOnlyEachPodsCallers() {
        Rendered r = Chart.template(values("workers.gpu.enabled", true), work);

        assertThat(r.names(NETWORK_POLICY)).containsExactlyInAnyOrder(FULLNAME + "-storage", FULLNAME + "-postgresql",
                FULLNAME + "-rabbitmq", FULLNAME + "-minio", FULLNAME + "-scheduler", FULLNAME + "-workers",
                FULLNAME + "-gateway");
        for (Map<String, Object> np : r.ofKind(NETWORK_POLICY)) {
            assertThat(str(np, "apiVersion")).isEqualTo("networking.k8s.io/v1");
            assertThat((List<String>) at(np, "spec.policyTypes")).containsExactly("Ingress");
        }
        // Each policy selects the pods of its own component(s), and nothing else.
        assertThat(selected(r, policy(r, "storage"), "spec.podSelector")).containsExactly("storage");
        assertThat(selected(r, policy(r, "workers"), "spec.podSelector")).containsExactlyInAnyOrder("worker-cpu", "worker-gpu");
        assertThat(selected(r, policy(r, "rabbitmq"), "spec.podSelector")).containsExactly("rabbitmq");

        assertThat(callers(r, "storage", 7863)).containsExactlyInAnyOrder("gateway", "worker-cpu", "worker-gpu");
        assertThat(callers(r, "postgresql", 5432)).containsExactlyInAnyOrder("storage", "gateway", "scheduler");
        assertThat(callers(r, "rabbitmq", 5672)).containsExactlyInAnyOrder("gateway", "scheduler", "worker-cpu", "worker-gpu");
        assertThat(callers(r, "minio", 9000)).containsExactly("storage");
        // One rule each: no other port (minio's console, rabbitmq's management) is open, and no other namespace.
        for (String component : List.of("storage", "postgresql", "rabbitmq", "minio")) {
            List<Map<String, Object>> rules = at(policy(r, component), "spec.ingress");
            assertThat(rules).as(component).hasSize(1);
            assertThat((List<?>) at(rules.get(0), "ports")).as(component).hasSize(1);
            assertThat((List<Map<String, Object>>) at(rules.get(0), "from")).as(component)
                    .allSatisfy(peer -> assertThat(peer).containsOnlyKeys("podSelector"));
        }
        // Nothing calls the scheduler or the workers; no scraper is configured by default.
        assertThat((List<?>) at(policy(r, "scheduler"), "spec.ingress")).isEmpty();
        assertThat((List<?>) at(policy(r, "workers"), "spec.ingress")).isEmpty();
        // The gateway: anyone, on its port only.
        List<Map<String, Object>> gateway = at(policy(r, "gateway"), "spec.ingress");
        assertThat(gateway).hasSize(1);
        assertThat(gateway.get(0)).doesNotContainKey("from");
        assertThat(str(gateway.get(0), "ports.0.port")).isEqualTo("7860");
    }

    @Test
    void metricsScrapersAndGatewayPeersComeFromValues() {
        Map<String, Object> ingressNamespace = Map.of("namespaceSelector",
                Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "ingress-nginx")));
        Rendered r = Chart.template(values(
                "networkPolicy.gatewayFrom", List.of(ingressNamespace),
                "networkPolicy.metricsNamespaceSelector", Map.of("kubernetes.io/metadata.name", "monitoring"),
                "networkPolicy.metricsPodSelector", Map.of("app.kubernetes.io/name", "prometheus")), work);

        Map<String, Object> scraper = Map.of(
                "namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "monitoring")),
                "podSelector", Map.of("matchLabels", Map.of("app.kubernetes.io/name", "prometheus")));
        Map<String, Integer> metricsPorts = Map.of("gateway", 7860, "storage", 7863, "scheduler", 8081, "workers", 8081);
        metricsPorts.forEach((component, port) -> {
            List<Map<String, Object>> rules = at(policy(r, component), "spec.ingress");
            assertThat(rules).as(component).anySatisfy(rule -> {
                assertThat((List<Object>) at(rule, "from")).containsExactly(scraper);
                assertThat((List<Map<String, Object>>) at(rule, "ports")).containsExactly(Map.of("port", port, "protocol", "TCP"));
            });
        });
        List<Map<String, Object>> gateway = at(policy(r, "gateway"), "spec.ingress");
        assertThat(gateway).hasSize(2).allSatisfy(rule -> assertThat(rule).containsKey("from"));
        assertThat((List<Object>) at(gateway.get(0), "from")).containsExactly(ingressNamespace);
        // The bundled servers have no scraper rule.
        for (String component : List.of("postgresql", "rabbitmq", "minio")) {
            assertThat((List<?>) at(policy(r, component), "spec.ingress")).as(component).hasSize(1);
        }
    }

    @Test
    void kedaReachesTheBundledBrokerFromItsNamespace() {
        Rendered r = Chart.template(values("autoscaling.keda.enabled", true), work);

        List<Map<String, Object>> rules = at(policy(r, "rabbitmq"), "spec.ingress");
        assertThat(rules).hasSize(2);
        assertThat((List<Object>) at(rules.get(1), "from")).containsExactly(
                Map.of("namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "keda"))));
        assertThat((List<Map<String, Object>>) at(rules.get(1), "ports")).extracting(p -> p.get("port"))
                .containsExactlyInAnyOrder(5672, 15672);
    }

    @Test
    void networkPoliciesCanBeSwitchedOff() {
        Rendered r = Chart.template(values("networkPolicy.enabled", false, "autoscaling.keda.enabled", true), work);

        assertThat(r.ofKind(NETWORK_POLICY)).isEmpty();
    }

    @Test
    void externalInfrastructureGetsNoNetworkPolicy() {
        Rendered r = Chart.template(values(
                "rabbitmq.enabled", false, "external.rabbitmq.host", "rabbit.infra.svc",
                "postgresql.enabled", false, "external.postgresql.host", "pg.infra.svc",
                "minio.enabled", false, "external.s3.endpoint", "https://s3.eu-west-1.amazonaws.com",
                "autoscaling.keda.enabled", true), work);

        assertThat(r.names(NETWORK_POLICY)).containsExactlyInAnyOrder(FULLNAME + "-storage", FULLNAME + "-scheduler",
                FULLNAME + "-workers", FULLNAME + "-gateway");
        assertThat(Chart.template(values("postgresql.enabled", false, "external.postgresql.host", "pg.infra.svc"), work)
                .names(NETWORK_POLICY)).doesNotContain(FULLNAME + "-postgresql").contains(FULLNAME + "-rabbitmq", FULLNAME + "-minio");
    }

    private static Map<String, Object> policy(Rendered r, String component) {
        return r.get(NETWORK_POLICY, FULLNAME + "-" + component);
    }

    /** The components admitted on this port by the policy of this component (pods of this release's namespace). */
    private static List<String> callers(Rendered r, String component, int port) {
        List<Map<String, Object>> rules = at(policy(r, component), "spec.ingress");
        return rules.stream()
                .filter(rule -> ((List<Map<String, Object>>) at(rule, "ports")).stream()
                        .anyMatch(p -> Integer.valueOf(port).equals(p.get("port"))))
                .flatMap(rule -> ((List<Map<String, Object>>) at(rule, "from")).stream())
                .flatMap(peer -> selected(r, peer, "podSelector").stream())
                .distinct().toList();
    }

    /** The components of the rendered workloads whose pods the label selector at this path matches. */
    private static List<String> selected(Rendered r, Map<String, Object> root, String path) {
        Map<String, Object> selector = at(root, path);
        return r.objects().stream()
                .filter(o -> List.of(DEPLOYMENT, "StatefulSet").contains(o.get("kind")))
                .map(o -> (Map<String, String>) at(o, "spec.template.metadata.labels"))
                .filter(labels -> matches(selector, labels))
                .map(labels -> labels.get("app.kubernetes.io/component")).toList();
    }

    /** A Kubernetes LabelSelector's verdict on these labels. */
    private static boolean matches(Map<String, Object> selector, Map<String, String> labels) {
        Map<String, String> matchLabels = selector.get("matchLabels") == null ? Map.of() : at(selector, "matchLabels");
        if (!labels.entrySet().containsAll(matchLabels.entrySet())) return false;
        List<Map<String, Object>> expressions = selector.get("matchExpressions") == null ? List.of() : at(selector, "matchExpressions");
        for (Map<String, Object> e : expressions) {
            String value = labels.get((String) e.get("key"));
            List<String> values = e.get("values") == null ? List.of() : at(e, "values");
            boolean ok = switch ((String) e.get("operator")) {
                case "In" -> values.contains(value);
                case "NotIn" -> !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new AssertionError("operator " + e.get("operator"));
            };
            if (!ok) return false;
        }
        return true;
    }

    private static void assertSecretRef(Map<String, Map<String, Object>> env, String name, String secret, String key) {
        assertThat(env).as("env %s", name).containsKey(name);
        assertThat((Object) at(env.get(name), "value")).as("%s has a literal value", name).isNull();
        assertThat(str(env.get(name), "valueFrom.secretKeyRef.name")).as("%s secret", name).isEqualTo(secret);
        assertThat(str(env.get(name), "valueFrom.secretKeyRef.key")).as("%s key", name).isEqualTo(key);
    }

    private static Map<String, String> decoded(Map<String, Object> secret) {
        Map<String, String> data = at(secret, "data");
        return data.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> new String(Base64.getDecoder().decode(e.getValue()), StandardCharsets.UTF_8)));
    }
}
