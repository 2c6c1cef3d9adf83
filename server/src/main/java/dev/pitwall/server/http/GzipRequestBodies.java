package dev.pitwall.server.http;

import io.helidon.http.BadRequestException;
import io.helidon.http.encoding.ContentDecoder;
import io.helidon.http.encoding.ContentEncoder;
import io.helidon.http.encoding.ContentEncoding;
import java.io.IOException;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Decodes request bodies sent with {@code Content-Encoding: gzip}, as log shippers send their
 * Loki pushes; the handlers then read plain bytes. Responses are not compressed.
 */
public final class GzipRequestBodies implements ContentEncoding {

    @Override
    public Set<String> ids() {
        return Set.of("gzip", "x-gzip");
    }

    @Override
    public boolean supportsEncoding() {
        return false;
    }

    @Override
    public boolean supportsDecoding() {
        return true;
    }

    @Override
    public ContentDecoder decoder() {
        return in -> {
            try {
                return new GZIPInputStream(in);
            } catch (IOException e) {
                // A client's mistake: answered 400 with the reason, not a server failure.
                throw new BadRequestException("the request body is not gzip though its Content-Encoding says so");
            }
        };
    }

    @Override
    public ContentEncoder encoder() {
        throw new UnsupportedOperationException("Pitwall does not gzip its responses");
    }

    @Override
    public String name() {
        return "gzip";
    }

    @Override
    public String type() {
        return "gzip";
    }
}
