package dev.pitwall.trainops.ingest;

import com.google.protobuf.CodedInputStream;
import dev.pitwall.core.metrics.LabelSets;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.xerial.snappy.Snappy;

/**
 * Loki's protobuf push format, as Promtail and Grafana Alloy send it: a snappy-compressed (block
 * format) {@code logproto.PushRequest}. Read with protobuf's wire-level reader against the fields
 * of Loki's push.proto: PushRequest.streams = 1; StreamAdapter.labels = 1 (text such as
 * {@code {host="gpu-a01", job="kernel"}}), entries = 2; EntryAdapter.timestamp = 1
 * (google.protobuf.Timestamp: seconds = 1, nanos = 2), line = 2.
 */
final class LokiProtobuf {

    /** One stream: its labels and its entries. */
    record Stream(Map<String, String> labels, List<Entry> entries) {
    }

    record Entry(Instant at, String line) {
    }

    private LokiProtobuf() {
    }

    /** @throws IOException when the body is not snappy, or not a PushRequest */
    static List<Stream> read(byte[] body) throws IOException {
        byte[] raw = Snappy.uncompress(body);
        CodedInputStream in = CodedInputStream.newInstance(raw);
        List<Stream> streams = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == (1 << 3 | 2)) {
                streams.add(stream(in.readBytes().newCodedInput()));
            } else if (!in.skipField(tag)) {
                break;
            }
        }
        return streams;
    }

    private static Stream stream(CodedInputStream in) throws IOException {
        Map<String, String> labels = Map.of();
        List<Entry> entries = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case 1 << 3 | 2 -> labels = LabelSets.parse(in.readStringRequireUtf8()).orElse(Map.of());
                case 2 << 3 | 2 -> entries.add(entry(in.readBytes().newCodedInput()));
                default -> in.skipField(tag);
            }
        }
        return new Stream(labels, entries);
    }

    private static Entry entry(CodedInputStream in) throws IOException {
        long seconds = 0;
        int nanos = 0;
        String line = "";
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case 1 << 3 | 2 -> {
                    CodedInputStream ts = in.readBytes().newCodedInput();
                    for (int t = ts.readTag(); t != 0; t = ts.readTag()) {
                        switch (t) {
                            case 1 << 3 -> seconds = ts.readInt64();
                            case 2 << 3 -> nanos = ts.readInt32();
                            default -> ts.skipField(t);
                        }
                    }
                }
                case 2 << 3 | 2 -> line = in.readStringRequireUtf8();
                default -> in.skipField(tag);
            }
        }
        return new Entry(Instant.ofEpochSecond(seconds, nanos), line);
    }
}
