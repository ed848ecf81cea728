package io.sdfleet.launcher;

import io.sdfleet.gateway.GatewayApplication;
import io.sdfleet.internal.InternalCredential;
import io.sdfleet.scheduler.SchedulerApplication;
import io.sdfleet.storage.StorageApplication;
import io.sdfleet.worker.WorkerApplication;
import io.sdfleet.worker.job.JobRunner;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The four services in one JVM, each its own Spring context with its own configuration file, wired to the given
 * infrastructure: storage first (the others need its port), then workers, scheduler and gateway. They share the
 * fleet's internal credential; storage, scheduler and workers listen on 127.0.0.1 only, and so does the gateway
 * unless told to listen on every interface.
 */
public final class Fleet implements AutoCloseable {

    /**
     * What to run: models, tokenizer for single-file checkpoints, gateway port (0 = any), number of workers; the
     * fleet's internal credential (null: a fresh one for this run) and whether the gateway listens on every network
     * interface (A1111's {@code --listen}; otherwise, like every other port of the fleet, on 127.0.0.1 only).
     */
    public record Options(Path modelsDir, String defaultModel, Path tokenizer, int gatewayPort, int workers,
                          String adminKey, Path workerModelsDir, Path modelCacheDir,
                          Map<String, Object> workerProperties, String internalToken, boolean listen) {

        public Options {
            workerProperties = workerProperties == null ? Map.of() : Map.copyOf(workerProperties);
            internalToken = internalToken == null ? InternalCredential.generate() : internalToken;
        }

        /** Without authentication: callers are named by the X-Sdfleet-User header (local development). */
        public Options(Path modelsDir, String defaultModel, Path tokenizer, int gatewayPort, int workers) {
            this(modelsDir, defaultModel, tokenizer, gatewayPort, workers, null, null, null, Map.of(), null, false);
        }

        public Options(Path modelsDir, String defaultModel, Path tokenizer, int gatewayPort, int workers,
                       String adminKey) {
            this(modelsDir, defaultModel, tokenizer, gatewayPort, workers, adminKey, null, null, Map.of(), null, false);
        }

        /** Authentication on, with {@code key} as the bootstrap admin's API key. */
        public Options withAdminKey(String key) {
            return new Options(modelsDir, defaultModel, tokenizer, gatewayPort, workers, key, workerModelsDir,
                    modelCacheDir, workerProperties, internalToken, listen);
        }

        /**
         * Workers read their local models from {@code dir} (not the gateway's folder) and cache models pulled from
         * the registry under {@code cacheDir}/WORKER_ID (default: the temporary folder's sdfleet-model-cache).
         */
        public Options withWorkerModels(Path dir, Path cacheDir) {
            return new Options(modelsDir, defaultModel, tokenizer, gatewayPort, workers, adminKey, dir, cacheDir,
                    workerProperties, internalToken, listen);
        }

        /**
         * A worker property (e.g. {@code sdfleet.worker.preview-every}) set on every worker, over the worker's own
         * properties file and the fleet's defaults.
         */
        public Options withWorkerProperty(String name, Object value) {
            Map<String, Object> more = new LinkedHashMap<>(workerProperties);
            more.put(name, value);
            return new Options(modelsDir, defaultModel, tokenizer, gatewayPort, workers, adminKey, workerModelsDir,
                    modelCacheDir, more, internalToken, listen);
        }

        /** The fleet's internal credential, instead of a fresh one for this run. */
        public Options withInternalToken(String token) {
            return new Options(modelsDir, defaultModel, tokenizer, gatewayPort, workers, adminKey, workerModelsDir,
                    modelCacheDir, workerProperties, token, listen);
        }

        /** The gateway listens on every network interface (the other services stay on 127.0.0.1). */
        public Options listeningOnAllInterfaces() {
            return new Options(modelsDir, defaultModel, tokenizer, gatewayPort, workers, adminKey, workerModelsDir,
                    modelCacheDir, workerProperties, internalToken, true);
        }
    }

    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    private final Map<String, ConfigurableApplicationContext> workers = new LinkedHashMap<>();
    private final Map<String, Integer> httpPorts = new LinkedHashMap<>();
    private final int gatewayPort;
    private ConfigurableApplicationContext gatewayContext;
    private Map<String, Object> gatewayProperties;
    private ConfigurableApplicationContext storageContext;
    private ConfigurableApplicationContext schedulerContext;
    private Map<String, Object> storageProperties;
    private String internalToken;

    private Fleet(int gatewayPort) {
        this.gatewayPort = gatewayPort;
    }

    public static Fleet start(Infrastructure infra, Options options) {
        return start(infra, options, Map.of());
    }

    /** With extra properties given to every service (e.g. the scheduler's stall knobs in tests). */
    public static Fleet start(Infrastructure infra, Options options, Map<String, Object> extra) {
        ServiceSettings settings = new ServiceSettings(infra, options, extra);
        Fleet fleet = null;
        List<ConfigurableApplicationContext> started = new ArrayList<>();
        try {
            Map<String, Object> storage = settings.storage();
            ConfigurableApplicationContext storageContext = run(StorageApplication.builder(), storage);
            started.add(storageContext);
            String storageUrl = "http://127.0.0.1:" + storageContext.getEnvironment().getProperty("local.server.port");

            Map<String, ConfigurableApplicationContext> workerContexts = new LinkedHashMap<>();
            for (int i = 1; i <= options.workers(); i++) {
                ConfigurableApplicationContext context = run(WorkerApplication.builder(), settings.worker(storageUrl, i));
                started.add(context);
                workerContexts.put(ServiceSettings.workerId(i), context);
            }

            ConfigurableApplicationContext schedulerContext = run(SchedulerApplication.builder(), settings.scheduler());
            started.add(schedulerContext);

            Map<String, Object> gateway = settings.gateway(storageUrl);
            ConfigurableApplicationContext gatewayContext = run(GatewayApplication.builder(), gateway);
            started.add(gatewayContext);
            fleet = new Fleet(Integer.parseInt(gatewayContext.getEnvironment().getProperty("local.server.port")));
            fleet.gatewayContext = gatewayContext;
            fleet.gatewayProperties = gateway;
            fleet.storageContext = storageContext;
            fleet.schedulerContext = schedulerContext;
            fleet.storageProperties = storage;
            fleet.internalToken = options.internalToken();
            fleet.contexts.addAll(started);
            fleet.workers.putAll(workerContexts);
            fleet.httpPorts.put("storage", port(storageContext));
            for (Map.Entry<String, ConfigurableApplicationContext> w : workerContexts.entrySet()) {
                fleet.httpPorts.put(w.getKey(), port(w.getValue()));
            }
            fleet.httpPorts.put("scheduler", port(started.get(started.size() - 2)));
            fleet.httpPorts.put("gateway", port(gatewayContext));
            return fleet;
        } catch (RuntimeException e) {
            Collections.reverse(started);
            started.forEach(ConfigurableApplicationContext::close);
            throw e;
        }
    }

    /** Passed as command-line arguments: they outrank each service's own properties file. */
    private static ConfigurableApplicationContext run(SpringApplicationBuilder builder, Map<String, Object> properties) {
        return builder.run(properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new));
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "-1"));
    }

    /**
     * Each service's HTTP port by name ("storage", "scheduler", "gateway", and each worker's id); for the scheduler
     * and the workers it is their management port (/actuator only).
     */
    public Map<String, Integer> httpPorts() {
        return Map.copyOf(httpPorts);
    }

    public int gatewayPort() {
        return gatewayPort;
    }

    /** The fleet's internal credential, as an {@code Authorization} header value (to scrape meters, in tests). */
    public String internalAuthorization() {
        return InternalCredential.of(internalToken).authorizationHeader();
    }

    /**
     * Stops the gateway and starts a fresh one on the same port, as a crash and restart would (waiting HTTP calls
     * are cut off; what the gateway knows must come back from PostgreSQL and storage).
     */
    public void restartGateway() {
        contexts.remove(gatewayContext);
        gatewayContext.close();
        Map<String, Object> properties = new LinkedHashMap<>(gatewayProperties);
        properties.put("server.port", gatewayPort);
        gatewayContext = run(GatewayApplication.builder(), properties);
        contexts.add(gatewayContext);
    }

    /** Stops storage-service (a drill: workers must hold their images and retry until it is back). */
    public void stopStorage() {
        int port = Integer.parseInt(storageContext.getEnvironment().getProperty("local.server.port"));
        storageProperties = new LinkedHashMap<>(storageProperties);
        storageProperties.put("server.port", port); // back on the same port, where the workers keep calling
        contexts.remove(storageContext);
        storageContext.close();
        storageContext = null;
    }

    public void startStorage() {
        storageContext = run(StorageApplication.builder(), storageProperties);
        contexts.add(0, storageContext);
    }

    /** Stops one worker abruptly-but-cleanly (its unacknowledged job goes back to the queue). */
    public void stopWorker(String id) {
        ConfigurableApplicationContext context = workers.remove(id);
        if (context != null) {
            contexts.remove(context);
            context.close();
        }
    }

    /** The worker running a job right now, if any. */
    public Optional<String> busyWorker() {
        return workers.entrySet().stream()
                .filter(e -> e.getValue().getBean(JobRunner.class).currentJobId() != null)
                .map(Map.Entry::getKey).findFirst();
    }

    /** A worker's Spring context, to reach its beans in tests (e.g. to stop its heartbeats). */
    public Optional<ConfigurableApplicationContext> worker(String id) {
        return Optional.ofNullable(workers.get(id));
    }

    /** The scheduler's Spring context, to observe its fair queue in tests. */
    public ConfigurableApplicationContext scheduler() {
        return schedulerContext;
    }

    public List<String> workerIds() {
        return List.copyOf(workers.keySet());
    }

    @Override
    public void close() {
        List<ConfigurableApplicationContext> reverse = new ArrayList<>(contexts);
        Collections.reverse(reverse);
        reverse.forEach(ConfigurableApplicationContext::close);
        contexts.clear();
    }
}
