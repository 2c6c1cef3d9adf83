package dev.pitwall.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Facts fixed at build time: Pitwall's version and the versions of the web assets it serves. */
public record BuildInfo(String version, String uplotVersion) {

    private static final BuildInfo CURRENT = read();

    public static BuildInfo current() {
        return CURRENT;
    }

    private static BuildInfo read() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/pitwall-build.properties")) {
            if (in == null) {
                throw new IllegalStateException("pitwall-build.properties is missing from the server jar");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new BuildInfo(properties.getProperty("version"), properties.getProperty("uplot.version"));
    }
}
