package dev.pitwall.server.cli;

import dev.pitwall.core.config.ConfigException;
import dev.pitwall.gateway.slo.PrometheusRules;
import dev.pitwall.gateway.slo.SloSpec;
import dev.pitwall.server.BuildInfo;
import dev.pitwall.server.config.PitwallConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "slo", description = "Service-level objectives of the gateway.", mixinStandardHelpOptions = true)
final class SloCommand extends CommandGroup {

    SloCommand() {
        super(List.of(Rules.class));
    }

    @Command(name = "rules", mixinStandardHelpOptions = true,
            description = {"Write Prometheus recording and alerting rules for the objectives of gateway.slos, in the "
                    + "shape Sloth generates (slo:sli_error:ratio_rate5m …, sloth_* labels, multi-window "
                    + "multi-burn-rate alerts), so Sloth's dashboards read them.",
                "Check them with: promtool check rules DIR/" + Rules.FILE})
    static final class Rules implements Callable<Integer> {

        static final String FILE = "pitwall-slos.rules.yml";

        @Spec
        CommandSpec spec;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE",
                description = "YAML configuration whose gateway.slos to write (default: ./pitwall.yaml when it exists).")
        Path config;

        @Option(names = "--output", paramLabel = "DIR", defaultValue = "deploy/prometheus",
                description = "Folder the rules file is written to (default: ${DEFAULT-VALUE}).")
        Path output;

        @Option(names = "--service", paramLabel = "NAME", defaultValue = "pitwall-gateway",
                description = "The sloth_service label (default: ${DEFAULT-VALUE}).")
        String service;

        @Option(names = "--selector", paramLabel = "MATCHERS", defaultValue = "",
                description = "Label matchers added to every query, such as job=\"pitwall\",namespace=\"llm\".")
        String selector;

        @Option(names = "--prometheus-rule", paramLabel = "FILE",
                description = "Also write the rules as a Prometheus Operator PrometheusRule to FILE (no namespace: "
                        + "kustomize or kubectl -n sets it).")
        Path operatorFile;

        @Override
        public Integer call() {
            Optional<Path> file = PitwallConfig.fileToRead(config);
            List<SloSpec> slos;
            try {
                slos = PitwallConfig.load(file, System.getenv()).gateway().slos();
            } catch (ConfigException e) {
                spec.commandLine().getErr().println(e.getMessage());
                spec.commandLine().getErr().flush();
                return PitwallCommand.EXIT_USAGE;
            }
            if (slos.isEmpty()) {
                return PitwallCommand.usageError(spec, file.map(f -> f + " sets").orElse("the built-in defaults set")
                        + " no objectives: add some under gateway.slos (see docs/configuration.md)");
            }
            if (selector.contains("{") || selector.contains("}")) {
                return PitwallCommand.usageError(spec, "--selector takes label matchers without braces, such as "
                        + "job=\"pitwall\"");
            }
            PrometheusRules rules = new PrometheusRules(service, selector.strip(), "pitwall-" + BuildInfo.current().version());
            try {
                Files.createDirectories(output);
                Files.writeString(output.resolve(FILE), rules.file(slos), StandardCharsets.UTF_8);
                spec.commandLine().getOut().println("wrote " + output.resolve(FILE) + " (" + slos.size()
                        + " objectives, " + 3 * slos.size() + " groups)");
                if (operatorFile != null) {
                    Files.writeString(operatorFile, rules.prometheusRule(slos, "pitwall-slos"), StandardCharsets.UTF_8);
                    spec.commandLine().getOut().println("wrote " + operatorFile);
                }
            } catch (IOException e) {
                spec.commandLine().getErr().println(spec.qualifiedName() + ": could not write the rules: " + e);
                return PitwallCommand.EXIT_FAILED;
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
