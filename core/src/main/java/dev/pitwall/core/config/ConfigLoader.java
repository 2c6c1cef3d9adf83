package dev.pitwall.core.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Loads a configuration record from built-in defaults, an optional YAML file and environment
 * variables, in that order of precedence (later wins).
 *
 * <p>Keys are kebab-case ({@code max-request-bytes}). Every scalar key can be overridden by an
 * environment variable named {@code PITWALL_} followed by its path in upper case with dots and
 * dashes turned into underscores ({@code server.max-request-bytes} →
 * {@code PITWALL_SERVER_MAX_REQUEST_BYTES}). Unknown keys, wrong types and impossible values
 * (rejected by the records' constructors with {@link ConfigProblem}) stop loading with a
 * {@link ConfigException} with one line per problem, in the file's line order, each naming the
 * file and line (or the variable), the key path, what was found and what is expected: every
 * problem at once, not one per attempt.
 */
public final class ConfigLoader<T> {

    public static final String ENV_PREFIX = "PITWALL_";
    /** Enough for any real file; a loop guard against a value no default can replace. */
    private static final int MAX_PROBLEMS = 50;

    private final Class<T> type;
    private final T defaults;
    private final YAMLMapper mapper;

    public ConfigLoader(Class<T> type, T defaults) {
        this.type = type;
        this.defaults = defaults;
        this.mapper = YAMLMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .addModule(configValues())
                .build();
    }

    /**
     * @param file the YAML file, or empty for defaults and environment only
     * @param env  the environment, usually {@code System.getenv()}
     */
    public T load(Optional<Path> file, Map<String, String> env) {
        return load(file.map(Path::toString).orElse(null), file.map(this::read).orElse(""), env);
    }

    /**
     * Like {@link #load(Optional, Map)} for YAML that is not a file of its own (a resource).
     *
     * @param sourceName what error messages call the text, or null for defaults only
     */
    public T load(String sourceName, String text, Map<String, String> env) {
        ObjectNode merged = mapper.valueToTree(defaults);
        String fileName = sourceName;
        if (sourceName != null) {
            merge(merged, parse(fileName, text));
        }
        Map<String, String> envOrigins = applyEnvironment(merged, env);
        try {
            return mapper.treeToValue(merged, type);
        } catch (JsonProcessingException first) {
            throw everyProblem(first, merged, fileName, text, envOrigins);
        }
    }

    /**
     * Each problem binding found, one after the other: the value at fault is put back to its default
     * (an unknown key is dropped) and binding tries again, until it passes or a problem cannot be
     * set aside. The problems come in the file's line order.
     */
    private ConfigException everyProblem(JsonProcessingException first, ObjectNode merged, String fileName, String text,
                                         Map<String, String> envOrigins) {
        JsonNode defaultsTree = mapper.valueToTree(defaults);
        // Each problem with the file line it sorts by; those from the environment or defaults come last.
        Map<ConfigException, Integer> problems = new LinkedHashMap<>();
        Set<List<String>> setAside = new HashSet<>();
        JsonProcessingException problem = first;
        while (problem != null && problems.size() < MAX_PROBLEMS) {
            List<String> path = failedPath(problem);
            if (!setAside.add(path)) {
                break; // set aside once already and failing again: nothing more to learn
            }
            boolean fromFile = fileName != null && !envOrigins.containsKey(String.join(".", path));
            problems.put(explain(problem, merged, fileName, text, envOrigins),
                    fromFile ? line(path, text).orElse(Integer.MAX_VALUE) : Integer.MAX_VALUE);
            if (path.isEmpty() || !restoreDefault(merged, defaultsTree, path)) {
                break;
            }
            try {
                mapper.treeToValue(merged, type);
                problem = null;
            } catch (JsonProcessingException next) {
                problem = next;
            }
        }
        List<ConfigException> inOrder = problems.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey).toList();
        if (inOrder.size() == 1) {
            return inOrder.getFirst();
        }
        return new ConfigException(inOrder.stream().map(ConfigException::getMessage).collect(Collectors.joining("\n")),
                inOrder.getFirst());
    }

    /** The value at {@code path} back to its default, or removed when it has none (an unknown key). */
    private static boolean restoreDefault(ObjectNode merged, JsonNode defaultsTree, List<String> path) {
        JsonNode parent = merged.at(pointer(path.subList(0, path.size() - 1)));
        String key = path.getLast();
        if (!(parent instanceof ObjectNode object)) {
            return false; // inside a list: no default to put back
        }
        JsonNode fallback = defaultsTree.at(pointer(path));
        if (fallback.isMissingNode()) {
            object.remove(key);
        } else {
            object.set(key, fallback.deepCopy());
        }
        return true;
    }

    /** The full key path of the value binding failed on. */
    private static List<String> failedPath(JsonProcessingException e) {
        List<String> path = e instanceof JsonMappingException jme ? pathOf(jme) : new ArrayList<>();
        if (e instanceof ValueInstantiationException v && v.getCause() instanceof ConfigProblem p) {
            path.add(p.key());
        }
        return path;
    }

    /** Every scalar key path with its default, in document order: what docs must list. */
    public Map<String, JsonNode> keysWithDefaults() {
        Map<String, JsonNode> keys = new LinkedHashMap<>();
        collectLeaves(mapper.valueToTree(defaults), "", keys);
        return keys;
    }

    /** The environment variable that overrides {@code keyPath}. */
    public static String envName(String keyPath) {
        return ENV_PREFIX + keyPath.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private String read(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file (give an existing YAML file with --config)");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read: " + e.getMessage(), e);
        }
    }

    private JsonNode parse(String fileName, String text) {
        JsonNode node;
        try {
            node = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 1 : e.getLocation().getLineNr();
            throw new ConfigException(fileName + ":" + line + ": not valid YAML: " + firstLine(e.getOriginalMessage()), e);
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            return mapper.createObjectNode();
        }
        if (!node.isObject()) {
            throw new ConfigException(fileName + ":1: the top level must be a mapping of keys (such as 'server:'), found " + describe(node));
        }
        return node;
    }

    /** File values replace defaults; an empty value ({@code port:}) keeps the default. */
    private static void merge(ObjectNode target, JsonNode source) {
        for (Iterator<Map.Entry<String, JsonNode>> it = source.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode existing = target.get(field.getKey());
            JsonNode value = field.getValue();
            if (value.isNull()) {
                continue;
            }
            if (existing instanceof ObjectNode existingObject && value.isObject()) {
                merge(existingObject, value);
            } else {
                target.set(field.getKey(), value);
            }
        }
    }

    private Map<String, String> applyEnvironment(ObjectNode merged, Map<String, String> env) {
        Map<String, String> origins = new LinkedHashMap<>();
        keysWithDefaults().forEach((path, defaultValue) -> {
            String name = envName(path);
            String value = env.get(name);
            if (value == null) {
                return;
            }
            origins.put(path, name);
            ObjectNode parent = merged;
            String[] parts = path.split("\\.");
            for (int i = 0; i < parts.length - 1; i++) {
                if (!(parent.get(parts[i]) instanceof ObjectNode child)) {
                    return; // the file put a scalar where a section belongs; binding reports that
                }
                parent = child;
            }
            parent.set(parts[parts.length - 1], envValue(defaultValue, value));
        });
        return origins;
    }

    /**
     * Text keys take the variable as it is; others read it as YAML: a scalar (8080, true), or
     * for list keys a flow list ({@code [{name: a, url: "http://…"}]}).
     */
    private JsonNode envValue(JsonNode defaultValue, String value) {
        if (defaultValue.isTextual() || defaultValue.isNull()) {
            return TextNode.valueOf(value);
        }
        try {
            JsonNode parsed = mapper.readTree(value);
            boolean fits = parsed != null && (parsed.isValueNode() || parsed.isArray() && defaultValue.isArray());
            return fits ? parsed : TextNode.valueOf(value);
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(value);
        }
    }

    private static void collectLeaves(JsonNode node, String prefix, Map<String, JsonNode> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            if (field.getValue().isObject()) {
                collectLeaves(field.getValue(), path, out);
            } else {
                out.put(path, field.getValue());
            }
        }
    }

    private ConfigException explain(JsonProcessingException e, JsonNode merged, String fileName, String text,
                                    Map<String, String> envOrigins) {
        List<String> path = failedPath(e);
        String detail;
        if (e instanceof UnrecognizedPropertyException u) {
            detail = "unknown key; expected one of " + known(u.getKnownPropertyIds());
        } else if (e instanceof ValueInstantiationException v && v.getCause() instanceof ConfigProblem p) {
            detail = "found " + p.found() + ", expected " + p.expected();
        } else if (e instanceof MismatchedInputException m) {
            JsonNode found = merged.at(pointer(path));
            detail = "found " + describe(found) + ", expected " + expected(m);
        } else {
            detail = firstLine(e.getOriginalMessage());
        }
        String keyPath = display(path);
        return new ConfigException(where(path, fileName, text, envOrigins) + ": " + keyPath + ": " + detail, e);
    }

    private String where(List<String> path, String fileName, String text, Map<String, String> envOrigins) {
        String dotted = String.join(".", path);
        String variable = envOrigins.get(dotted);
        if (variable != null) {
            return "environment variable " + variable;
        }
        if (fileName == null) {
            return "built-in defaults";
        }
        OptionalInt line = line(path, text);
        return line.isPresent() ? fileName + ":" + line.getAsInt() : fileName;
    }

    /** The file's line of {@code path}, or of its nearest enclosing key the file names (the value may be a default). */
    private OptionalInt line(List<String> path, String text) {
        for (int length = path.size(); length > 0; length--) {
            OptionalInt line = locate(text, path.subList(0, length));
            if (line.isPresent()) {
                return line;
            }
        }
        return OptionalInt.empty();
    }

    /** The line on which {@code path} is written in the YAML {@code text}. */
    private OptionalInt locate(String text, List<String> path) {
        try (JsonParser parser = mapper.getFactory().createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                JsonStreamContext context = parser.getParsingContext();
                boolean names = token == JsonToken.FIELD_NAME || (context.inArray() && !token.isStructEnd());
                if (names && pathOf(context).equals(path)) {
                    return OptionalInt.of(parser.currentTokenLocation().getLineNr());
                }
            }
        } catch (IOException e) {
            // The text was parsed once already; a failure here only costs the line number.
        }
        return OptionalInt.empty();
    }

    private static List<String> pathOf(JsonStreamContext context) {
        List<String> path = new ArrayList<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            path.add(0, c.inArray() ? String.valueOf(c.getCurrentIndex()) : c.getCurrentName());
        }
        return path;
    }

    private static List<String> pathOf(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
                .collect(Collectors.toCollection(ArrayList::new));
    }

    private static String display(List<String> path) {
        StringBuilder out = new StringBuilder();
        for (String part : path) {
            if (part.chars().allMatch(Character::isDigit)) {
                out.append('[').append(part).append(']');
            } else {
                out.append(out.isEmpty() ? "" : ".").append(part);
            }
        }
        return out.isEmpty() ? "(top level)" : out.toString();
    }

    private static String pointer(List<String> path) {
        return path.stream().map(p -> "/" + p.replace("~", "~0").replace("/", "~1")).collect(Collectors.joining());
    }

    private static String known(Collection<Object> ids) {
        return ids.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "nothing";
        } else if (node.isObject()) {
            return "a mapping";
        } else if (node.isArray()) {
            return "a list";
        } else if (node.isTextual()) {
            return "\"" + node.asText() + "\"";
        }
        return node.asText();
    }

    private String expected(MismatchedInputException e) {
        Class<?> target = e.getTargetType();
        if (target == null) {
            return "a value of another type";
        } else if (target == int.class || target == Integer.class || target == long.class || target == Long.class) {
            return "a whole number";
        } else if (target == double.class || target == Double.class) {
            return "a number";
        } else if (target == boolean.class || target == Boolean.class) {
            return "true or false";
        } else if (target == String.class || target == Path.class) {
            return "text";
        } else if (target == Duration.class) {
            return DurationText.EXPECTED;
        } else if (target.isEnum()) {
            // As the YAML spells them (openai-compatible), which is how the docs write them.
            return "one of " + java.util.Arrays.stream(target.getEnumConstants())
                    .map(c -> mapper.convertValue(c, String.class)).collect(Collectors.joining(", "));
        } else if (List.class.isAssignableFrom(target)) {
            return "a list";
        } else if (target.isRecord() || Map.class.isAssignableFrom(target)) {
            return "a mapping of keys";
        }
        return e instanceof InvalidFormatException ? "a " + target.getSimpleName() : "a value of another type";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** Durations as {@link DurationText}, paths as plain text. */
    private static SimpleModule configValues() {
        SimpleModule module = new SimpleModule("pitwall-config");
        module.addDeserializer(Duration.class, new StdScalarDeserializer<>(Duration.class) {
            @Override
            public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                if (p.currentToken() != JsonToken.VALUE_STRING) {
                    return (Duration) ctxt.handleUnexpectedToken(Duration.class, p);
                }
                try {
                    return DurationText.parse(p.getText());
                } catch (IllegalArgumentException e) {
                    return (Duration) ctxt.handleWeirdStringValue(Duration.class, p.getText(), DurationText.EXPECTED);
                }
            }
        });
        module.addSerializer(Duration.class, new StdScalarSerializer<>(Duration.class) {
            @Override
            public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(DurationText.format(value));
            }
        });
        module.addDeserializer(Path.class, new StdScalarDeserializer<>(Path.class) {
            @Override
            public Path deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                if (p.currentToken() != JsonToken.VALUE_STRING) {
                    return (Path) ctxt.handleUnexpectedToken(Path.class, p);
                }
                return Path.of(p.getText());
            }
        });
        module.addSerializer(Path.class, new StdScalarSerializer<>(Path.class) {
            @Override
            public void serialize(Path value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(value.toString());
            }
        });
        return module;
    }
}
