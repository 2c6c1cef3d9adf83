package dev.pitwall.planner.profile;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.pitwall.core.json.Json;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.zip.GZIPInputStream;

/**
 * Reads a PyTorch profiler (Kineto) trace in Chrome trace JSON, plain or gzipped, as a stream:
 * one event at a time, the fields the analysis needs, nothing kept. A 1 GB trace costs the
 * memory of one event plus what the listener keeps.
 */
final class TraceReader {

    /** What the listener hears of each complete ("X") event; times in nanoseconds. */
    interface Listener {
        void event(String category, String name, long startNanos, long durationNanos);
    }

    private TraceReader() {
    }

    /** Streams {@code file}'s events to {@code listener}; answers the rank from {@code distributedInfo} when the trace has one. */
    static OptionalInt read(Path file, Listener listener) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             InputStream in = gzipped(raw) ? new GZIPInputStream(raw, 1 << 16) : raw;
             JsonParser parser = Json.mapper().getFactory().createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new TraceFormatException(file + ": not a Chrome trace (expected a JSON object with traceEvents)");
            }
            OptionalInt rank = OptionalInt.empty();
            boolean sawEvents = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("traceEvents") && value == JsonToken.START_ARRAY) {
                    sawEvents = true;
                    while (parser.nextToken() == JsonToken.START_OBJECT) {
                        readEvent(parser, listener);
                    }
                } else if (field.equals("distributedInfo") && value == JsonToken.START_OBJECT) {
                    var info = parser.readValueAsTree();
                    var r = ((com.fasterxml.jackson.databind.JsonNode) info).path("rank");
                    if (r.isInt()) {
                        rank = OptionalInt.of(r.asInt());
                    }
                } else {
                    parser.skipChildren();
                }
            }
            if (!sawEvents) {
                throw new TraceFormatException(file + ": no traceEvents array; is this a PyTorch profiler trace?");
            }
            return rank;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new TraceFormatException(file + ": broken JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (java.io.EOFException e) {
            throw new TraceFormatException(file + ": ends early (truncated gzip?)");
        }
    }

    private static void readEvent(JsonParser parser, Listener listener) throws IOException {
        String ph = null;
        String cat = null;
        String name = null;
        double ts = Double.NaN;
        double dur = Double.NaN;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "ph" -> ph = parser.getText();
                case "cat" -> cat = parser.getText();
                case "name" -> name = parser.getText();
                case "ts" -> ts = value.isNumeric() ? parser.getDoubleValue() : Double.NaN;
                case "dur" -> dur = value.isNumeric() ? parser.getDoubleValue() : Double.NaN;
                default -> parser.skipChildren();
            }
        }
        // Kineto writes microseconds with nanosecond decimals.
        if ("X".equals(ph) && cat != null && name != null && !Double.isNaN(ts) && !Double.isNaN(dur)) {
            listener.event(cat, name, Math.round(ts * 1000), Math.round(dur * 1000));
        }
    }

    private static boolean gzipped(InputStream in) throws IOException {
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == 0x1f && b2 == 0x8b;
    }

    /** A file that is not a readable trace; the message names the file and what is wrong. */
    static final class TraceFormatException extends IOException {
        TraceFormatException(String message) {
            super(message);
        }
    }
}
