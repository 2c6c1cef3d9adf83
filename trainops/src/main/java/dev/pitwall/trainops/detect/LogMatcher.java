package dev.pitwall.trainops.detect;

import dev.pitwall.trainops.signal.Severity;
import dev.pitwall.trainops.signal.Signal;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies log lines against the whole catalog in one pass: every rule's literals are searched
 * together by one automaton over the line's bytes, and only the rules whose literals occur run
 * their expression (rules without literals always do). A line gives at most one signal: the
 * leftmost match, and among rules matching there, the first in the catalog.
 *
 * <p>The NVIDIA driver writes some messages over several lines, each starting {@code NVRM: }
 * ("The NVIDIA GPU 0000:b3:00.0" / "(PCI ID: 10de:2330) installed in this system has" / "fallen
 * off the bus …"). Read as a {@link Stream}, a log's consecutive driver lines that match nothing
 * alone are held (a few at most) and matched again joined, so such a message gives its signal
 * on its last line.
 */
public final class LogMatcher {

    private static final Pattern GROUP_NAME = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");
    private static final int TEXT_LIMIT = 240;
    private static final int CHUNK = 1 << 20;
    /** What each line of a driver message starts with, after the log's own prefix. */
    private static final String CONTINUED = "NVRM: ";
    /** Lines of one message held at most; the longest the driver writes is three. */
    private static final int HELD = 4;

    private final RuleCatalog catalog;
    private final List<DetectionRule> rules;
    private final Pattern[] patterns;
    private final List<List<String>> groupNames = new ArrayList<>();
    private final LiteralAutomaton automaton;
    /** Rules that have no literals: tried on every line. */
    private final long[] always;

    public LogMatcher(RuleCatalog catalog) {
        this.catalog = catalog;
        this.rules = catalog.rules();
        this.patterns = new Pattern[rules.size()];
        List<List<String>> literals = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            patterns[i] = Pattern.compile(rules.get(i).pattern());
            List<String> names = new ArrayList<>();
            Matcher m = GROUP_NAME.matcher(rules.get(i).pattern());
            while (m.find()) {
                names.add(m.group(1));
            }
            groupNames.add(names);
            literals.add(rules.get(i).literals());
        }
        // One more literal past the rules': the driver's line mark, so that its lines are read for joining.
        literals.add(List.of(CONTINUED));
        this.automaton = new LiteralAutomaton(literals);
        this.always = automaton.emptySet();
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).literals().isEmpty()) {
                always[i >>> 6] |= 1L << (i & 63);
            }
        }
    }

    /** The catalog the matcher reads with. */
    public RuleCatalog catalog() {
        return catalog;
    }

    /**
     * One log's reading state (a file, or one node's source): the driver lines held for joining.
     * Lines must be given in order; a line number that does not follow the last one's starts over.
     */
    public static final class Stream {
        private final List<String> held = new ArrayList<>();
        private long lastLine = Long.MIN_VALUE;

        /** The held lines from the {@code first}th, then {@code line}'s message after its mark: one message. */
        private String joinedWith(int first, String line) {
            StringBuilder joined = new StringBuilder(held.get(first));
            for (String next : held.subList(first + 1, held.size())) {
                joined.append(' ').append(next.substring(next.indexOf(CONTINUED) + CONTINUED.length()).strip());
            }
            return joined.append(' ').append(line.substring(line.indexOf(CONTINUED) + CONTINUED.length()).strip()).toString();
        }
    }

    /** The signal {@code line} gives, the {@code number}th of {@code stream}, alone or as the end of a driver message. */
    public Optional<Signal> match(String line, long number, Stream stream) {
        return match(line, candidates(line), number, stream);
    }

    /** As {@link #match(String, long, Stream)}, the rules {@code line}'s literals name already known. */
    private Optional<Signal> match(String line, long[] candidates, long number, Stream stream) {
        if (number != stream.lastLine + 1) {
            stream.held.clear();
        }
        stream.lastLine = number;
        Optional<Signal> alone = classify(line, candidates);
        if (alone.isPresent() || !continuesMessage(line)) {
            stream.held.clear();
            return alone;
        }
        // Where the message starts is not marked: each held line is tried as its first, and the reading
        // that tells most (the GPU's address from the message's first line) wins.
        Optional<Signal> best = Optional.empty();
        for (int first = stream.held.size() - 1; first >= 0; first--) {
            Optional<Signal> joined = match(stream.joinedWith(first, line));
            if (joined.isPresent() && (best.isEmpty() || joined.get().fields().size() > best.get().fields().size())) {
                best = joined;
            }
        }
        if (best.isPresent()) {
            stream.held.clear();
            return best;
        }
        if (stream.held.size() == HELD) {
            stream.held.removeFirst();
        }
        stream.held.add(line);
        return Optional.empty();
    }

    /**
     * Whether {@code line} may carry on a driver message begun on the lines before it; a line that
     * does not is read the same whatever came before it.
     */
    static boolean continuesMessage(String line) {
        return line.contains(CONTINUED);
    }

    /** The signal {@code line} gives, if any. */
    public Optional<Signal> match(String line) {
        return classify(line, candidates(line));
    }

    /** The rules to try on {@code line}: those whose literals it holds, and those without literals. */
    private long[] candidates(String line) {
        long[] candidates = always.clone();
        int state = automaton.start();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            // Literals are ASCII: a character beyond Latin-1 cannot be part of one.
            state = c > 0xFF ? automaton.start() : automaton.next(state, c);
            if (automaton.emits(state)) {
                automaton.collect(state, candidates);
            }
        }
        return candidates;
    }

    /**
     * Reads a log as bytes (ISO-8859-1: every byte is a character, as kernel logs need) and hands
     * each signal, with its line number, to {@code signals}. The automaton reads each byte once, and
     * only lines that hold a literal are turned into text. Answers how many lines ended in a line
     * break.
     */
    public int scan(InputStream in, Consumer<LineSignal> signals) throws IOException {
        Reading reading = new Reading(signals);
        byte[] buffer = new byte[CHUNK];
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
            reading.feed(buffer, read);
        }
        reading.finish();
        return reading.lineNumber - 1;
    }

    /**
     * Where the reading of one log stands between chunks. A chunk is read by one call of
     * {@link #feed}: a method called per chunk is compiled whole, where one loop over the whole
     * file would only get the JIT's on-stack replacement of it, measured slower here.
     */
    private final class Reading {
        private final Consumer<LineSignal> signals;
        private final Stream stream = new Stream();
        private final boolean anyAlways = Arrays.stream(always).anyMatch(w -> w != 0);
        private long[] candidates = always.clone();
        private byte[] line = new byte[256];
        private int lineLength;
        private int lineNumber = 1;
        private int state = automaton.start();
        private boolean hit = anyAlways;

        Reading(Consumer<LineSignal> signals) {
            this.signals = signals;
        }

        void feed(byte[] buffer, int read) {
            int start = 0;
            for (int i = 0; i < read; i++) {
                byte b = buffer[i];
                if (b != '\n') {
                    state = automaton.next(state, b);
                    if (automaton.emits(state)) {
                        automaton.collect(state, candidates);
                        hit = true;
                    }
                    continue;
                }
                if (hit) {
                    line = append(line, lineLength, buffer, start, i);
                    lineLength += i - start;
                    emit();
                }
                // A line without any literal is never decoded nor matched.
                lineNumber++;
                lineLength = 0;
                start = i + 1;
                state = automaton.start();
            }
            // The chunk ends inside a line: keep its start for when the rest arrives.
            line = append(line, lineLength, buffer, start, read);
            lineLength += read - start;
        }

        void finish() {
            if (lineLength > 0 && hit) {
                emit();
            }
        }

        private void emit() {
            int end = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
            int number = lineNumber;
            match(new String(line, 0, end, StandardCharsets.ISO_8859_1), candidates, number, stream)
                    .ifPresent(signal -> signals.accept(new LineSignal(number, signal)));
            candidates = always.clone();
            hit = anyAlways;
        }
    }

    private static byte[] append(byte[] line, int length, byte[] from, int start, int end) {
        int more = end - start;
        if (more <= 0) {
            return line;
        }
        byte[] target = length + more <= line.length ? line : Arrays.copyOf(line, Math.max(line.length * 2, length + more));
        System.arraycopy(from, start, target, length, more);
        return target;
    }

    /**
     * The leftmost match of an expression whose matches begin at one of its literals: it is tried
     * anchored at each place a literal begins, the text before it still visible to {@code \b} and lookbehinds.
     */
    static boolean findAtLiteral(Matcher m, String line, List<String> literals) {
        m.useTransparentBounds(true).useAnchoringBounds(false);
        for (int from = 0; ; ) {
            int at = -1;
            for (String literal : literals) {
                int i = line.indexOf(literal, from);
                if (i >= 0 && (at < 0 || i < at)) {
                    at = i;
                }
            }
            if (at < 0) {
                return false;
            }
            if (m.region(at, line.length()).lookingAt()) {
                return true;
            }
            from = at + 1;
        }
    }

    private Optional<Signal> classify(String line, long[] candidates) {
        int best = -1;
        Matcher bestMatch = null;
        for (int i = 0; i < rules.size(); i++) {
            if ((candidates[i >>> 6] & (1L << (i & 63))) == 0) {
                continue;
            }
            Matcher m = patterns[i].matcher(line);
            boolean found = rules.get(i).startsAtLiteral() ? findAtLiteral(m, line, rules.get(i).literals()) : m.find();
            if (found && (bestMatch == null || m.start() < bestMatch.start())) {
                best = i;
                bestMatch = m;
            }
        }
        if (bestMatch == null) {
            return Optional.empty();
        }
        DetectionRule rule = rules.get(best);
        Map<String, String> fields = new LinkedHashMap<>();
        for (String name : groupNames.get(best)) {
            String value = bestMatch.group(name);
            if (value != null) {
                fields.put(name, value.strip());
            }
        }
        Severity severity = rule.severity();
        String meaning = rule.meaning();
        String action = rule.action();
        if (fields.containsKey("xid")) {
            Optional<XidInfo> info = catalog.xid(Integer.parseInt(fields.get("xid")));
            if (info.isPresent()) {
                severity = info.get().severity();
                meaning = "Xid " + info.get().code() + ": " + info.get().meaning();
                action = info.get().action();
            } else {
                meaning = "Xid " + fields.get("xid") + ": not in the catalog";
            }
        }
        String text = line.strip();
        return Optional.of(new Signal(rule.id(), rule.category(), severity, fields, meaning, action,
                text.length() > TEXT_LIMIT ? text.substring(0, TEXT_LIMIT) + "…" : text));
    }
}
