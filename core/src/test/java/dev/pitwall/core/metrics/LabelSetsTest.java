package dev.pitwall.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Label sets as Prometheus expositions and Loki pushes carry them, escapes and all. */
class LabelSetsTest {

    @Test
    void readsLokiStreamSelectorsWithBlanksAfterCommas() {
        assertThat(LabelSets.parse("{host=\"gpu-a01\", job=\"kernel\"}"))
                .hasValue(Map.of("host", "gpu-a01", "job", "kernel"));
        assertThat(LabelSets.parse(" { host = \"gpu-a01\" , } ")).hasValue(Map.of("host", "gpu-a01"));
        assertThat(LabelSets.parse("{}")).hasValue(Map.of());
    }

    @Test
    void unescapesQuotesBackslashesAndNewlinesAsTheExpositionFormatSays() {
        assertThat(LabelSets.parse("{path=\"C:\\\\logs\", quote=\"say \\\"hi\\\"\", text=\"a\\nb\"}"))
                .hasValue(Map.of("path", "C:\\logs", "quote", "say \"hi\"", "text", "a\nb"));
        // Both readers share the rule: a sample's labels unescape the same way.
        assertThat(PrometheusSamples.parse("m{text=\"a\\nb\",path=\"C:\\\\x\"} 1\n").getFirst().labels())
                .isEqualTo(Map.of("text", "a\nb", "path", "C:\\x"));
    }

    @Test
    void refusesWhatIsNotALabelSet() {
        assertThat(LabelSets.parse("host=\"gpu-a01\"")).isEmpty();
        assertThat(LabelSets.parse("{host=gpu-a01}")).isEmpty();
        assertThat(LabelSets.parse("{host=\"gpu-a01}")).isEmpty();
        assertThat(LabelSets.parse("{=\"x\"}")).isEmpty();
        assertThat(LabelSets.parse("{host=\"a\"} trailing")).isEmpty();
    }
}
