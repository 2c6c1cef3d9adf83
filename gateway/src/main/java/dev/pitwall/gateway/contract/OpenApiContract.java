package dev.pitwall.gateway.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's OpenAPI 3.1 document ({@value #RESOURCE}), the source of truth for what
 * {@code /v1} accepts and answers. Its component schemas are JSON Schema 2020-12, checked by
 * networknt's validator; requests are checked before routing, responses in contract tests.
 */
public final class OpenApiContract {

    public static final String RESOURCE = "openapi/gateway.yaml";

    /** The first thing wrong with an instance: the field at fault and what is wrong with it. */
    public record Violation(String param, String message) {
    }

    /**
     * The OpenAPI document's own fields around its schemas: known to the validator as annotations, so
     * that loading a schema from the document raises no "unknown keyword" warning a user cannot act on.
     */
    private static final List<String> DOCUMENT_FIELDS = List.of("openapi", "info", "jsonSchemaDialect", "servers",
            "paths", "webhooks", "components", "security", "tags", "externalDocs");

    private final JsonSchemaFactory factory = factory();
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();
    private final byte[] document;

    public OpenApiContract() {
        try (InputStream in = OpenApiContract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the gateway module");
            }
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonSchemaFactory factory() {
        JsonMetaSchema base = JsonMetaSchema.getV202012();
        JsonMetaSchema openApi = JsonMetaSchema.builder(base.getIri(), base)
                .keywords(DOCUMENT_FIELDS.stream().map(NonValidationKeyword::new).toList()).build();
        return JsonSchemaFactory.builder(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012))
                .metaSchema(openApi).build();
    }

    /** The document as shipped, for {@code GET /openapi.yaml}. */
    public byte[] document() {
        return document.clone();
    }

    /**
     * Checks {@code instance} against {@code components/schemas/<schemaName>}.
     *
     * @return the violation to report, or empty when the instance conforms
     */
    public Optional<Violation> check(String schemaName, JsonNode instance) {
        JsonSchema schema = schemas.computeIfAbsent(schemaName, name -> factory.getSchema(
                SchemaLocation.of("classpath:" + RESOURCE + "#/components/schemas/" + name)));
        Set<ValidationMessage> messages = schema.validate(instance);
        // The deepest location is the most precise: "messages[0].role", not "messages".
        return messages.stream()
                .max(Comparator.comparingInt((ValidationMessage m) -> m.getInstanceLocation().getNameCount())
                        .thenComparing(ValidationMessage::getMessage))
                .map(OpenApiContract::violation);
    }

    private static Violation violation(ValidationMessage message) {
        String location = message.getInstanceLocation().toString();
        String field = location.equals("$") ? "" : location.substring(location.startsWith("$.") ? 2 : 1);
        if ("required".equals(message.getType()) && message.getProperty() != null) {
            field = field.isEmpty() ? message.getProperty() : field + "." + message.getProperty();
        }
        String text = message.getMessage();
        int colon = text.indexOf(": ");
        String what = colon >= 0 && text.startsWith("$") ? text.substring(colon + 2) : text;
        return new Violation(field.isEmpty() ? null : field, (field.isEmpty() ? "request" : field) + ": " + what);
    }
}
