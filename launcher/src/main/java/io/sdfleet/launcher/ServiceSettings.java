package io.sdfleet.launcher;

import io.sdfleet.internal.InternalCredential;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one home of the properties each service gets in a fleet, whether it runs in the launcher's JVM ({@link Fleet})
 * or as its own process ({@link FleetProcesses}): the infrastructure's addresses, the internal credential, and each
 * service's own settings. Every map is a fresh copy the caller may add to (ports, ids).
 */
final class ServiceSettings {

    static final String LOOPBACK = "127.0.0.1";

    private final Infrastructure infra;
    private final Fleet.Options options;
    private final Map<String, Object> common = new LinkedHashMap<>();

    /** @param extra properties given to every service (e.g. the scheduler's stall knobs in tests) */
    ServiceSettings(Infrastructure infra, Fleet.Options options, Map<String, Object> extra) {
        this.infra = infra;
        this.options = options;
        common.put("spring.rabbitmq.host", infra.amqpHost());
        common.put("spring.rabbitmq.port", infra.amqpPort());
        common.put("spring.rabbitmq.username", infra.amqpUser());
        common.put("spring.rabbitmq.password", infra.amqpPassword());
        common.put("sdfleet.messaging.prefix", infra.messagingPrefix());
        // An embedded Qpid broker shares this JVM's logging; its per-object operational log is noise here.
        common.put("logging.level.qpid.message", "WARN");
        common.put(InternalCredential.PROPERTY, options.internalToken());
        common.put("server.address", LOOPBACK); // the gateway's own address is set below
        common.putAll(extra);
    }

    Map<String, Object> storage() {
        Map<String, Object> storage = new LinkedHashMap<>(common);
        storage.put("server.port", 0);
        putDatabase(storage);
        storage.put("sdfleet.s3.endpoint", infra.s3Endpoint());
        storage.put("sdfleet.s3.access-key", infra.s3AccessKey());
        storage.put("sdfleet.s3.secret-key", infra.s3SecretKey());
        storage.put("sdfleet.s3.bucket", infra.s3Bucket());
        return storage;
    }

    /** Worker number {@code n} (from 1): its id is local-worker-n. */
    Map<String, Object> worker(String storageUrl, int n) {
        Map<String, Object> worker = new LinkedHashMap<>(common);
        worker.put("sdfleet.worker.storage-url", storageUrl);
        worker.put("sdfleet.worker.models-dir",
                (options.workerModelsDir() == null ? options.modelsDir() : options.workerModelsDir()).toString());
        Path cacheRoot = options.modelCacheDir() != null ? options.modelCacheDir()
                : Path.of(System.getProperty("java.io.tmpdir"), "sdfleet-model-cache");
        worker.put("sdfleet.worker.default-model", options.defaultModel());
        worker.put("sdfleet.worker.tokenizer", options.tokenizer() == null ? "" : options.tokenizer().toString());
        worker.put("sdfleet.worker.heartbeat-seconds", 1);
        worker.put("server.port", 0); // management port (/actuator): any free one, several workers share the host
        worker.putAll(options.workerProperties());
        worker.put("sdfleet.worker.id", workerId(n));
        worker.put("sdfleet.worker.model-cache-dir", cacheRoot.resolve(workerId(n)).toString());
        return worker;
    }

    static String workerId(int n) {
        return "local-worker-" + n;
    }

    Map<String, Object> scheduler() {
        Map<String, Object> scheduler = new LinkedHashMap<>(common);
        scheduler.put("server.port", 0); // management port (/actuator)
        putDatabase(scheduler); // its durable plan, usage, leases and drained workers
        return scheduler;
    }

    Map<String, Object> gateway(String storageUrl) {
        Map<String, Object> gateway = new LinkedHashMap<>(common);
        gateway.put("server.port", options.gatewayPort());
        gateway.put("server.address", options.listen() ? "0.0.0.0" : LOOPBACK);
        gateway.put("sdfleet.gateway.storage-url", storageUrl);
        gateway.put("sdfleet.gateway.models-dir", options.modelsDir().toString());
        gateway.put("sdfleet.gateway.default-model", options.defaultModel());
        // the same tokenizer as the workers: the web page's token counter (POST /api/v1/tokenize)
        gateway.put("sdfleet.gateway.tokenizer", options.tokenizer() == null ? "" : options.tokenizer().toString());
        putDatabase(gateway);
        gateway.put("sdfleet.gateway.auth.enabled", options.adminKey() != null);
        if (options.adminKey() != null) {
            gateway.put("sdfleet.gateway.auth.bootstrap-admin-key", options.adminKey());
        }
        return gateway;
    }

    private void putDatabase(Map<String, Object> properties) {
        properties.put("spring.datasource.url", infra.jdbcUrl());
        properties.put("spring.datasource.username", infra.dbUser());
        properties.put("spring.datasource.password", infra.dbPassword());
    }
}
