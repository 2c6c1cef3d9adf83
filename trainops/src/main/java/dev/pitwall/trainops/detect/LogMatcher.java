package dev.pitwall.trainops.detect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every rule compiled into one regular expression, so a line is scanned once however many
 * rules there are. Each rule becomes an alternative {@code (?<rN>…)}; its named groups are
 * renamed {@code rNname} (Java wants group names unique) and read back under their own names.
 * A line gives at most one signal: the leftmost match, and among rules matching there, the
 * first in the catalog.
 */
public final class LogMatcher {

    private static final Pattern GROUP_NAME = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");
    private static final int TEXT_LIMIT = 240;

    private final RuleCatalog catalog;
    private final Pattern combined;
    private final List<List<String>> groupNames = new ArrayList<>();

    public LogMatcher(RuleCatalog catalog) {
        this.catalog = catalog;
        StringBuilder all = new StringBuilder();
        List<DetectionRule> rules = catalog.rules();
        for (int i = 0; i < rules.size(); i++) {
            String prefix = "r" + i;
            List<String> names = new ArrayList<>();
            Matcher m = GROUP_NAME.matcher(rules.get(i).pattern());
            StringBuilder renamed = new StringBuilder();
            while (m.find()) {
                names.add(m.group(1));
                m.appendReplacement(renamed, Matcher.quoteReplacement("(?<" + prefix + m.group(1) + ">"));
            }
            m.appendTail(renamed);
            groupNames.add(names);
            all.append(i == 0 ? "" : "|").append("(?<").append(prefix).append('>').append(renamed).append(')');
        }
        this.combined = Pattern.compile(all.toString());
    }

    /** The signal {@code line} gives, if any. */
    public Optional<Signal> match(String line, int lineNumber) {
        Matcher m = combined.matcher(line);
        if (!m.find()) {
            return Optional.empty();
        }
        List<DetectionRule> rules = catalog.rules();
        for (int i = 0; i < rules.size(); i++) {
            if (m.group("r" + i) == null) {
                continue;
            }
            DetectionRule rule = rules.get(i);
            Map<String, String> fields = new LinkedHashMap<>();
            for (String name : groupNames.get(i)) {
                String value = m.group("r" + i + name);
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
            return Optional.of(new Signal(rule.id(), rule.category(), severity, lineNumber, fields, meaning, action,
                    text.length() > TEXT_LIMIT ? text.substring(0, TEXT_LIMIT) + "…" : text));
        }
        return Optional.empty();
    }
}
