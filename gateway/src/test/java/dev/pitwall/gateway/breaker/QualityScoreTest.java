package dev.pitwall.gateway.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.config.QualityConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class QualityScoreTest {

    private static final QualityConfig CONFIG = QualityConfig.defaults();
    private static final String PROSE = "NCCL all-reduce bandwidth depends on the slowest link in the ring, so one "
            + "degraded InfiniBand port can halve the bus bandwidth of a whole job while every GPU looks healthy.";

    private static OutputSample answer(String text) throws Exception {
        OutputSample sample = new OutputSample();
        sample.addAnswer(Json.mapper().readTree("{\"choices\":[{\"message\":{\"content\":"
                + Json.mapper().writeValueAsString(text) + "}}]}"));
        return sample;
    }

    @Test
    void findsTheNGramAnAnswerEndsRepeatingAsVllmsRepetitionDetectionDefinesIt() {
        assertThat(QualityScore.tailRepetition(List.of("a", "b", "c", "x", "y", "x", "y", "x", "y"), 8))
                .containsExactly(2, 3);
        assertThat(QualityScore.tailRepetition(List.of("the", "the", "the", "the"), 8)).containsExactly(1, 4);
        assertThat(QualityScore.tailRepetition(List.of("a", "b", "c", "d"), 8)).containsExactly(0, 0);
        assertThat(QualityScore.tailRepetition(List.of("x", "y", "x", "y", "z"), 8))
                .as("a repetition the answer has moved on from is not its end").containsExactly(0, 0);
    }

    @Test
    void judgesProseHealthyAndADegenerateEndBad() throws Exception {
        QualityScore prose = answer(PROSE).score(CONFIG);
        assertThat(prose.fault(CONFIG, Double.NaN)).isEmpty();
        assertThat(prose.charEntropy()).isBetween(3.8, 4.6); // English prose: about 4.1 to 4.4 bits a character

        QualityScore looping = answer(PROSE + " I am sorry. I am sorry. I am sorry. I am sorry. I am sorry.").score(CONFIG);
        assertThat(looping.fault(CONFIG, Double.NaN)).hasValueSatisfying(
                why -> assertThat(why).contains("3-token phrase 5 times"));
        assertThat(answer("  ").score(CONFIG).fault(CONFIG, 4.2)).hasValue("empty answer");
    }

    @Test
    void judgesTextFarFromTheModelsUsualCharacterEntropyBad() throws Exception {
        String noise = "qZ7#xLp9@w2!Vb0&kT5^mR1*cN8%hJ3$gF6+dS4=aY~eU_oI?rW<tQ>sE/";
        QualityScore noisy = answer(noise + noise).score(CONFIG);
        assertThat(noisy.charEntropy()).isGreaterThan(5.5);
        assertThat(noisy.fault(CONFIG, 4.2)).hasValueSatisfying(why -> assertThat(why).contains("bits per character"));
        assertThat(noisy.fault(CONFIG, Double.NaN)).as("no usual known yet: not judged on characters").isEmpty();
        assertThat(answer("short #%&").score(CONFIG).fault(CONFIG, 4.2)).as("too short to judge").isEmpty();
    }

    @Test
    void tokenEntropyIsNormalizedOverTheAlternativesAndSkipsVllmsMinusInfinity() throws Exception {
        OutputSample flat = new OutputSample();
        flat.addChunk(Json.mapper().readTree("""
                {"choices":[{"delta":{"content":"x"},"logprobs":{"content":[{"token":"x","logprob":-1.39,
                 "top_logprobs":[{"token":"x","logprob":-1.386},{"token":"y","logprob":-1.386},
                                 {"token":"z","logprob":-1.386},{"token":"w","logprob":-1.386},
                                 {"token":"v","logprob":-9999.0}]}]}}]}"""));
        assertThat(flat.score(CONFIG).tokenEntropy()).as("four equal alternatives: the most a choice among four can be")
                .isCloseTo(1.0, offset(1e-6));
        OutputSample sure = new OutputSample();
        sure.addAnswer(Json.mapper().readTree("""
                {"choices":[{"text":"the","logprobs":{"tokens":["the"],"token_logprobs":[-0.01],
                 "top_logprobs":[{"the":-0.01,"a":-5.0}]}}]}"""));
        assertThat(sure.score(CONFIG).tokenEntropy()).isLessThan(0.1);
        assertThat(new OutputSample().score(CONFIG).tokenEntropy()).isNaN();
    }
}
