package dev.pitwall.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.util.Optional;

/**
 * The one JSON mapper of the process. Instants are written as ISO-8601 text, empty Optionals as
 * null, and unknown fields are tolerated on read (API payloads are validated at the edge by
 * their own contracts). Parsers and generators take their buffers from one pool shared by all
 * threads: Jackson's default keeps them per thread, and a virtual thread per request or stream
 * then allocates its own and holds them as long as it lives.
 */
public final class Json {

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.newConcurrentDequePool()).build())
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The bytes as a JSON object; empty when they are not JSON, or JSON of another kind. */
    public static Optional<ObjectNode> object(byte[] json) {
        try {
            return asObject(MAPPER.readTree(json));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The text as a JSON object; empty when it is not JSON, or JSON of another kind. */
    public static Optional<ObjectNode> object(String json) {
        try {
            return asObject(MAPPER.readTree(json));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<ObjectNode> asObject(JsonNode node) {
        return node instanceof ObjectNode object ? Optional.of(object) : Optional.empty();
    }
}
