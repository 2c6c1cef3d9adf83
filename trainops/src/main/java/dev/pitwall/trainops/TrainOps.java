package dev.pitwall.trainops;

import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.storage.Database;
import dev.pitwall.trainops.action.KubernetesConfig;
import dev.pitwall.trainops.action.NodeCordon;
import dev.pitwall.trainops.detect.JobProgress;
import dev.pitwall.trainops.detect.LogMatcher;
import dev.pitwall.trainops.detect.RuleCatalog;
import dev.pitwall.trainops.drill.DrillService;
import dev.pitwall.trainops.drill.DrillStore;
import dev.pitwall.trainops.fleet.NodeSightings;
import dev.pitwall.trainops.incident.IncidentService;
import dev.pitwall.trainops.incident.Incidents;
import dev.pitwall.trainops.incident.ReliabilityMetrics;
import dev.pitwall.trainops.ingest.IngestService;
import dev.pitwall.trainops.ingest.JobHistories;
import dev.pitwall.trainops.ingest.JobsService;
import dev.pitwall.trainops.ingest.LokiPushService;
import dev.pitwall.trainops.ingest.NodeInventory;
import dev.pitwall.trainops.knowledge.KnowledgeBase;
import dev.pitwall.trainops.knowledge.KnowledgeService;
import dev.pitwall.trainops.signal.SignalStore;
import dev.pitwall.trainops.telemetry.GpuTelemetry;
import dev.pitwall.trainops.telemetry.TelemetryConfig;
import dev.pitwall.trainops.telemetry.UtilizationStore;
import io.helidon.webserver.http.HttpService;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training operations wired together: ingest (node agents, Loki pushes, dcgm-exporter scrapes)
 * through detection and signals into incidents, the knowledge base and node actions, with the
 * loops that run without a request (stalled-job checks, telemetry scrapes). {@code server}
 * mounts {@link #services()} and closes it.
 */
public final class TrainOps implements AutoCloseable {

    /** The trainops module's tables, migrated from {@code db/migration/trainops}. */
    public static final String MODULE = "trainops";

    private static final Logger LOG = LoggerFactory.getLogger(TrainOps.class);
    private static final Duration STALL_CHECK = Duration.ofSeconds(15);

    private final SignalStore signals;
    private final Incidents incidents;
    private final KnowledgeBase knowledge;
    private final UtilizationStore utilization;
    private final NodeSightings sightings;
    private final Optional<NodeCordon> cordon;
    private final IngestService ingest;
    private final DrillStore drills;
    private final Map<String, HttpService> services = new LinkedHashMap<>();
    /** Runs the stalled-job check and the GPU telemetry scrapes. */
    private final ScheduledExecutorService loops;

    /**
     * @param database where signals, incidents and knowledge are kept; its {@value #MODULE} tables must be migrated
     * @param registry where ingest counts its lines and signals, and the reliability figures go
     */
    public TrainOps(TelemetryConfig telemetryConfig, KubernetesConfig kubernetes, Database database, AuditLog audit,
                    MeterRegistry registry, Clock clock) {
        RuleCatalog catalog = RuleCatalog.builtIn();
        this.signals = new SignalStore(database, clock);
        JobHistories histories = new JobHistories(database, clock);
        this.incidents = new Incidents(database, audit, clock, catalog.suspectCategories(), histories::lastSteps);
        this.utilization = new UtilizationStore(database);
        GpuTelemetry telemetry = new GpuTelemetry(telemetryConfig, catalog, utilization, clock);
        this.sightings = new NodeSightings(database);
        // Job progress in the store: replicas judge one job's steps against one history, and a restart keeps it.
        JobProgress progress = new JobProgress(histories);
        this.ingest = new IngestService(new LogMatcher(catalog), progress, signals, incidents, telemetry,
                new NodeInventory(database, clock), sightings, registry, clock);
        this.knowledge = new KnowledgeBase(database, clock);
        new ReliabilityMetrics(incidents, sightings, utilization, clock, registry);
        try {
            this.cordon = kubernetes.enabled() ? Optional.of(NodeCordon.connect(kubernetes)) : Optional.empty();
        } catch (RuntimeException e) {
            closeQuietly(knowledge);
            throw e;
        }
        services.put(IngestService.PATH, ingest);
        services.put(LokiPushService.PATH, new LokiPushService(ingest));
        services.put(IncidentService.PATH, new IncidentService(incidents, signals, knowledge, cordon, audit));
        services.put(KnowledgeService.PATH, new KnowledgeService(knowledge));
        services.put(JobsService.PATH, new JobsService(histories));
        this.drills = new DrillStore(database, clock);
        services.put(DrillService.PATH, new DrillService(drills));
        this.loops = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("trainops-loops").factory());
        every(STALL_CHECK.toMillis(), STALL_CHECK.toMillis(), "checking for stalled jobs", ingest::checkStalledJobs);
        every(STALL_CHECK.toMillis(), STALL_CHECK.toMillis(), "marking recovered incidents mitigated",
                incidents::mitigateRecovered);
        if (!telemetryConfig.targets().isEmpty()) {
            every(0, telemetryConfig.interval().toMillis(), "GPU telemetry round",
                    () -> ingest.acceptSignals(telemetry.scrape()));
        }
    }

    private void every(long firstMillis, long periodMillis, String what, Runnable task) {
        loops.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // One failed round must not end the loop: the next one may well succeed.
                LOG.warn("{} failed: {}", what, e.toString());
            }
        }, firstMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Every HTTP API of training operations, by mount path. */
    public Map<String, HttpService> services() {
        return Collections.unmodifiableMap(services);
    }

    public SignalStore signals() {
        return signals;
    }

    public Incidents incidents() {
        return incidents;
    }

    public KnowledgeBase knowledge() {
        return knowledge;
    }

    public UtilizationStore utilization() {
        return utilization;
    }

    public NodeSightings sightings() {
        return sightings;
    }

    public DrillStore drills() {
        return drills;
    }

    public IngestService ingest() {
        return ingest;
    }

    @Override
    public void close() {
        loops.shutdownNow();
        closeQuietly(knowledge);
        cordon.ifPresent(NodeCordon::close);
    }

    private static void closeQuietly(KnowledgeBase knowledge) {
        try {
            knowledge.close();
        } catch (IOException e) {
            LOG.debug("knowledge index close: {}", e.toString());
        }
    }
}
