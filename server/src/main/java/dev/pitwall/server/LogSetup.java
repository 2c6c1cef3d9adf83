package dev.pitwall.server;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.pitwall.server.config.LoggingConfig;
import java.net.URL;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Points logback at the configured format, level and log directory. Runs once, before the
 * server starts, because those settings come from Pitwall's own configuration file.
 */
public final class LogSetup {

    private LogSetup() {
    }

    public static void apply(LoggingConfig logging, Path dataDir) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        context.putProperty("PITWALL_LOG_DIR", dataDir.resolve("logs").toString());
        context.putProperty("PITWALL_LOG_LEVEL", logging.level().toUpperCase(Locale.ROOT));
        String resource = logging.format().equals("json") ? "/pitwall-logback-json.xml" : "/pitwall-logback.xml";
        URL url = LogSetup.class.getResource(resource);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(url);
        } catch (JoranException e) {
            throw new IllegalStateException(resource + " is broken: " + e.getMessage(), e);
        }
    }
}
