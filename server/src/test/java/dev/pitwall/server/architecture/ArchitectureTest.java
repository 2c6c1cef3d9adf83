package dev.pitwall.server.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The house's dependency rules, checked on the compiled classes of every module: modules depend
 * only downwards as in the module table of the design (core at the bottom, server on top), and no two capabilities ({@code dev.pitwall.<module>.<package>}) depend
 * on each other in a cycle.
 */
class ArchitectureTest {

    /** Capability packages (a module's first level, with everything below it) free of cycles. */
    static final ArchRule NO_CYCLES = slices().matching("dev.pitwall.(*).(*)..").should().beFreeOfCycles();

    /** Module dependencies as in the design's module table; nothing reaches sideways. */
    static final ArchRule MODULES_DOWNWARDS = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("core").definedBy("dev.pitwall.core..")
            .layer("gateway").definedBy("dev.pitwall.gateway..")
            .layer("acceptance").definedBy("dev.pitwall.acceptance..")
            .layer("trainops").definedBy("dev.pitwall.trainops..")
            .layer("planner").definedBy("dev.pitwall.planner..")
            .layer("sim").definedBy("dev.pitwall.sim..")
            .layer("server").definedBy("dev.pitwall.server..")
            .whereLayer("core").mayNotAccessAnyLayer()
            .whereLayer("gateway").mayOnlyAccessLayers("core")
            .whereLayer("acceptance").mayOnlyAccessLayers("core")
            .whereLayer("trainops").mayOnlyAccessLayers("core", "acceptance")
            .whereLayer("planner").mayOnlyAccessLayers("core")
            .whereLayer("sim").mayOnlyAccessLayers("core")
            .whereLayer("server").mayNotBeAccessedByAnyLayer();

    /** A module's facade (its root package, like {@code Gateway}) wires its capabilities; none reaches back to it. */
    static final List<ArchRule> FACADES_ON_TOP = Stream.of("core", "gateway", "acceptance", "trainops", "planner", "sim")
            .map(module -> (ArchRule) noClasses().that().resideInAPackage("dev.pitwall." + module + ".*..")
                    .should().dependOnClassesThat().resideInAPackage("dev.pitwall." + module))
            .toList();

    private static final Pattern TEST_JAR = Pattern.compile(".*-tests\\.jar.*");

    private static JavaClasses pitwall;

    @BeforeAll
    static void importClasses() {
        // Main code only: neither test classes nor the test jars modules share (core's fixtures).
        pitwall = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.matches(TEST_JAR))
                .importPackages("dev.pitwall");
    }

    @Test
    void modulesDependOnlyDownwards() {
        MODULES_DOWNWARDS.check(pitwall);
    }

    @Test
    void capabilitiesHaveNoCycles() {
        NO_CYCLES.check(pitwall);
    }

    @Test
    void theRulesCatchAPlantedCycle() {
        // Two test classes in two packages that use each other: the cycle rule must refuse them.
        JavaClasses planted = new ClassFileImporter().importPackages("dev.pitwall.planted");
        assertThatThrownBy(() -> NO_CYCLES.check(planted)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("planted.left").hasMessageContaining("planted.right");
    }

    @Test
    void capabilitiesDoNotReachBackToTheirModulesFacade() {
        FACADES_ON_TOP.forEach(rule -> rule.check(pitwall));
    }
}
