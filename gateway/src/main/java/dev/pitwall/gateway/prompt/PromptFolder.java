package dev.pitwall.gateway.prompt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder of prompt files (git-ops: one {@code .yaml} per prompt, see {@link PromptFile})
 * applied to the registry at start and whenever a file changes. The folder is watched, and read
 * again every {@value #RESCAN_MILLIS} ms whatever the watch says, because a Kubernetes ConfigMap
 * changes its files by swapping the {@code ..data} symlink they point through, which a watch on
 * the folder does not always report as a change of the files. A file that does not parse, or
 * contradicts the store, changes nothing: the last good versions keep serving, and the file is
 * logged, counted and listed with its problem until it is fixed.
 */
public final class PromptFolder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PromptFolder.class);
    static final int RESCAN_MILLIS = 500;

    /** One file as last read: applied, or refused with its problem. */
    public record Source(String file, String prompt, boolean applied, String problem, Instant at) {

        /** As the admin API and the Prompts page show it. */
        public ObjectNode toJson() {
            return Json.mapper().createObjectNode().put("file", file).put("prompt", prompt).put("applied", applied)
                    .put("problem", problem).put("at", at.toString());
        }
    }

    private final Path dir;
    private final PromptRegistry registry;
    private final Counter refusals;
    private final Map<String, String> lastText = new ConcurrentHashMap<>();
    private final Map<String, Source> sources = new ConcurrentHashMap<>();
    private final WatchService watch;
    private final Thread watcher;

    public PromptFolder(Path dir, PromptRegistry registry, MeterRegistry metrics) {
        this.dir = dir;
        this.registry = registry;
        this.refusals = Counter.builder("pitwall.gateway.prompt.file.refusals")
                .description("Prompt files refused (not valid, or contradicting the store); the last good version serves")
                .register(metrics);
        Gauge.builder("pitwall.gateway.prompt.files.refused", sources,
                        s -> s.values().stream().filter(source -> !source.applied()).count())
                .description("Prompt files refused as they are now").register(metrics);
        WatchService service;
        try {
            service = dir.getFileSystem().newWatchService();
            dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            throw new IllegalStateException("the prompt folder " + dir + " cannot be watched: " + e.getMessage(), e);
        }
        this.watch = service;
        scan();
        this.watcher = Thread.ofPlatform().daemon().name("pitwall-prompt-folder").start(this::watchLoop);
    }

    /** Every file as last read, by name. */
    public List<Source> sources() {
        return new ArrayList<>(new TreeMap<>(sources).values());
    }

    private void watchLoop() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                var key = watch.poll(RESCAN_MILLIS, TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
                scan();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    /** Applies every file whose text changed since it was last read. */
    void scan() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.{yaml,yml}")) {
            for (Path file : files) {
                String fileName = file.getFileName().toString();
                if (fileName.startsWith(".")) {
                    continue; // ConfigMap's own ..data entries and hidden files
                }
                String text;
                try {
                    text = Files.readString(file, StandardCharsets.UTF_8); // follows ConfigMap's symlinks
                } catch (IOException e) {
                    continue; // swapped away between listing and reading: the next scan sees the new one
                }
                if (!text.equals(lastText.put(fileName, text))) {
                    apply(fileName, text);
                }
            }
        } catch (IOException e) {
            LOG.warn("The prompt folder {} cannot be read ({}); the prompts already loaded keep serving", dir,
                    e.getMessage());
        }
    }

    private void apply(String fileName, String text) {
        String source = "file " + fileName;
        try {
            PromptFile file = PromptFile.parse(fileName, text);
            registry.apply(file, source);
            sources.put(fileName, new Source(fileName, file.name(), true, "", Instant.now()));
        } catch (PromptProblem e) {
            String where = e.field().isEmpty() ? "" : e.field() + ": ";
            refusals.increment();
            sources.put(fileName, new Source(fileName, fileName.replaceFirst("\\.ya?ml$", ""), false, where + e.getMessage(),
                    Instant.now()));
            LOG.warn("Prompt file {} refused, the prompt's last good version keeps serving: {}{}", dir.resolve(fileName),
                    where, e.getMessage());
        }
    }

    @Override
    public void close() {
        watcher.interrupt();
        try {
            watch.close();
        } catch (IOException e) {
            LOG.debug("the prompt folder's watch did not close", e);
        }
    }
}
