package dev.pitwall.sim.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LatencyModelTest {

    private final LatencyModel model = new LatencyModel(EngineProfile.defaults());

    @Test
    void prefillTakesTimeInProportionToThePrompt() {
        assertThat(model.prefill(12_000)).isEqualTo(Duration.ofSeconds(1));
        assertThat(model.prefill(1_200)).isEqualTo(Duration.ofMillis(100));
        assertThat(model.prefill(0)).isEqualTo(Duration.ZERO);
    }

    @Test
    void decodeStepsGrowWithTheBatch() {
        assertThat(model.decodeStep(0)).isEqualTo(Duration.ZERO);
        assertThat(model.decodeStep(1)).isEqualTo(Duration.ofMillis(9));
        assertThat(model.decodeStep(101)).isEqualTo(Duration.ofMillis(14));
        for (int batch = 1; batch < 256; batch++) {
            assertThat(model.decodeStep(batch + 1)).isGreaterThan(model.decodeStep(batch));
        }
    }

    @Test
    void aSlowdownStretchesTheWholeStep() {
        assertThat(model.step(1_200, 1, 2.0)).isEqualTo(Duration.ofMillis(218));
    }

    @Test
    void builtInProfilesLoad() {
        for (String name : EngineProfile.BUILT_IN) {
            assertThat(EngineProfile.load(name).model()).isNotBlank();
        }
        assertThat(EngineProfile.load("a100-llama3-8b").decodeStepMs()).isGreaterThan(EngineProfile.load("h100-llama3-8b").decodeStepMs());
    }
}
