package io.sdfleet.launcher;

import io.sdfleet.gateway.GatewayApplication;
import io.sdfleet.scheduler.SchedulerApplication;
import io.sdfleet.storage.StorageApplication;
import io.sdfleet.worker.WorkerApplication;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The fleet with every service in its own OS process (the drills SIGKILL them): storage, workers, one or more
 * schedulers and gateways, with the same settings as {@link Fleet} ({@link ServiceSettings}) and fixed ports, so a
 * restarted service is found where it was.
 */
public final class FleetProcesses implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(240); // two shared cores, several JVMs at once

    private final ServiceProcess storage;
    private final List<ServiceProcess> workers;
    private final List<ServiceProcess> schedulers;
    private final List<ServiceProcess> gateways;

    private FleetProcesses(ServiceProcess storage, List<ServiceProcess> workers, List<ServiceProcess> schedulers,
                           List<ServiceProcess> gateways) {
        this.storage = storage;
        this.workers = workers;
        this.schedulers = schedulers;
        this.gateways = gateways;
    }

    /**
     * Starts them all and waits until each is healthy. The first gateway starts alone (it creates the bootstrap admin),
     * the others after it.
     */
    public static FleetProcesses start(Infrastructure infra, Fleet.Options options, Map<String, Object> extra,
                                       int schedulerCount, int gatewayCount, Path logDir)
            throws IOException, InterruptedException {
        ServiceSettings settings = new ServiceSettings(infra, options, extra);
        List<ServiceProcess> all = new ArrayList<>();
        try {
            Map<String, Object> storageProperties = settings.storage();
            storageProperties.put("server.port", freePort());
            ServiceProcess storage = new ServiceProcess("storage", StorageApplication.class, storageProperties, 384, logDir);
            all.add(storage);
            String storageUrl = "http://127.0.0.1:" + storage.port();
            List<ServiceProcess> workers = new ArrayList<>();
            for (int i = 1; i <= options.workers(); i++) {
                Map<String, Object> worker = settings.worker(storageUrl, i);
                worker.put("server.port", freePort());
                workers.add(new ServiceProcess(ServiceSettings.workerId(i), WorkerApplication.class, worker, 1024, logDir));
            }
            all.addAll(workers);
            List<ServiceProcess> schedulers = new ArrayList<>();
            for (int i = 1; i <= schedulerCount; i++) {
                Map<String, Object> scheduler = settings.scheduler();
                scheduler.put("server.port", freePort());
                schedulers.add(new ServiceProcess("scheduler-" + i, SchedulerApplication.class, scheduler, 384, logDir));
            }
            all.addAll(schedulers);
            List<ServiceProcess> gateways = new ArrayList<>();
            for (int i = 1; i <= gatewayCount; i++) {
                Map<String, Object> gateway = settings.gateway(storageUrl);
                gateway.put("server.port", i == 1 && options.gatewayPort() != 0 ? options.gatewayPort() : freePort());
                gateways.add(new ServiceProcess("gateway-" + i, GatewayApplication.class, gateway, 512, logDir));
            }
            all.addAll(gateways);

            List<ServiceProcess> first = new ArrayList<>(all);
            first.removeAll(gateways.subList(1, gateways.size()));
            for (ServiceProcess p : first) {
                p.launch();
            }
            for (ServiceProcess p : first) {
                p.awaitHealthy(START_TIMEOUT);
            }
            for (ServiceProcess p : gateways.subList(1, gateways.size())) {
                p.launch();
                p.awaitHealthy(START_TIMEOUT);
            }
            return new FleetProcesses(storage, List.copyOf(workers), List.copyOf(schedulers), List.copyOf(gateways));
        } catch (IOException | InterruptedException | RuntimeException e) {
            Collections.reverse(all);
            for (ServiceProcess p : all) {
                p.close();
            }
            throw e;
        }
    }

    public ServiceProcess storage() {
        return storage;
    }

    public List<ServiceProcess> workers() {
        return workers;
    }

    public List<ServiceProcess> schedulers() {
        return schedulers;
    }

    public List<ServiceProcess> gateways() {
        return gateways;
    }

    public List<ServiceProcess> all() {
        List<ServiceProcess> all = new ArrayList<>();
        all.add(storage);
        all.addAll(workers);
        all.addAll(schedulers);
        all.addAll(gateways);
        return all;
    }

    /** Gateways first, storage last: the reverse of the start. */
    @Override
    public void close() throws InterruptedException {
        List<ServiceProcess> reverse = all();
        Collections.reverse(reverse);
        for (ServiceProcess p : reverse) {
            p.close();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
