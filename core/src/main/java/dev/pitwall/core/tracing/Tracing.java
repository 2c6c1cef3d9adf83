package dev.pitwall.core.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * OpenTelemetry for Pitwall: spans batched and sent over OTLP/HTTP when an endpoint is
 * configured, and a no-op (nothing recorded, nothing sent) when not.
 */
public final class Tracing implements AutoCloseable {

    private final OpenTelemetry openTelemetry;
    private final SdkTracerProvider provider;

    private Tracing(OpenTelemetry openTelemetry, SdkTracerProvider provider) {
        this.openTelemetry = openTelemetry;
        this.provider = provider;
    }

    public static Tracing create(TracingConfig config, String version) {
        if (config.otlpEndpoint().isEmpty()) {
            return new Tracing(OpenTelemetry.noop(), null);
        }
        String endpoint = config.otlpEndpoint().endsWith("/")
                ? config.otlpEndpoint().substring(0, config.otlpEndpoint().length() - 1) : config.otlpEndpoint();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"), config.serviceName(),
                        AttributeKey.stringKey("service.version"), version))))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())))
                .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
                                .setEndpoint(endpoint + "/v1/traces")
                                .setTimeout(Duration.ofSeconds(10))
                                .build())
                        .setScheduleDelay(Duration.ofSeconds(1))
                        .build())
                .build();
        return new Tracing(OpenTelemetrySdk.builder().setTracerProvider(provider).build(), provider);
    }

    /** A tracer for one of Pitwall's modules ({@code dev.pitwall.gateway}). */
    public Tracer tracer(String scope) {
        return openTelemetry.getTracer(scope);
    }

    /** Sends what is buffered and stops; waits at most ten seconds. */
    @Override
    public void close() {
        if (provider != null) {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
