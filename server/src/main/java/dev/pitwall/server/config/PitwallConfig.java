package dev.pitwall.server.config;

import dev.pitwall.core.config.ConfigLoader;
import dev.pitwall.core.config.ConfigProblem;
import dev.pitwall.core.storage.StorageConfig;
import dev.pitwall.core.tracing.TracingConfig;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.trainops.action.KubernetesConfig;
import dev.pitwall.trainops.telemetry.TelemetryConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Everything {@code pitwall.yaml} can say. Each section belongs to the module that uses it;
 * every key has a default, so an empty file (or none) is a working configuration.
 *
 * @param dataDir where the embedded database, logs and generated files live
 */
public record PitwallConfig(Path dataDir, ServerConfig server, StorageConfig storage, LoggingConfig logging,
                            TracingConfig tracing, GatewayConfig gateway, KubernetesConfig kubernetes,
                            TelemetryConfig telemetry) {

    /** The file {@code serve} reads when no {@code --config} is given and it exists. */
    public static final Path DEFAULT_FILE = Path.of("pitwall.yaml");

    public PitwallConfig {
        if (dataDir == null || dataDir.toString().isBlank()) {
            throw new ConfigProblem("data-dir", "nothing", "a directory path");
        }
    }

    public static PitwallConfig defaults() {
        return new PitwallConfig(Path.of("pitwall-data"), ServerConfig.defaults(), StorageConfig.defaults(),
                LoggingConfig.defaults(), TracingConfig.defaults(), GatewayConfig.defaults(), KubernetesConfig.defaults(),
                TelemetryConfig.defaults());
    }

    public static ConfigLoader<PitwallConfig> loader() {
        return new ConfigLoader<>(PitwallConfig.class, defaults());
    }

    /** The file to read: {@code given} when there is one, else {@link #DEFAULT_FILE} when it exists, else none. */
    public static Optional<Path> fileToRead(Path given) {
        return Optional.ofNullable(given).or(() -> Optional.of(DEFAULT_FILE).filter(Files::exists));
    }

    /** Defaults, then {@code file} when given, then {@code PITWALL_*} variables of {@code env}. */
    public static PitwallConfig load(Optional<Path> file, Map<String, String> env) {
        return loader().load(file, env);
    }

    public PitwallConfig withServer(ServerConfig newServer) {
        return new PitwallConfig(dataDir, newServer, storage, logging, tracing, gateway, kubernetes, telemetry);
    }

    public PitwallConfig withDataDir(Path newDataDir) {
        return new PitwallConfig(newDataDir, server, storage, logging, tracing, gateway, kubernetes, telemetry);
    }

    public PitwallConfig withTracing(TracingConfig newTracing) {
        return new PitwallConfig(dataDir, server, storage, logging, newTracing, gateway, kubernetes, telemetry);
    }

    public PitwallConfig withKubernetes(KubernetesConfig newKubernetes) {
        return new PitwallConfig(dataDir, server, storage, logging, tracing, gateway, newKubernetes, telemetry);
    }

    public PitwallConfig withTelemetry(TelemetryConfig newTelemetry) {
        return new PitwallConfig(dataDir, server, storage, logging, tracing, gateway, kubernetes, newTelemetry);
    }

    public PitwallConfig withGateway(GatewayConfig newGateway) {
        return new PitwallConfig(dataDir, server, storage, logging, tracing, newGateway, kubernetes, telemetry);
    }
}
