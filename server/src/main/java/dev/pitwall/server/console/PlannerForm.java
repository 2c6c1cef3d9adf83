package dev.pitwall.server.console;

import dev.pitwall.core.catalog.GpuCatalog;
import dev.pitwall.core.catalog.GpuSpec;
import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.report.DocumentWriter;
import dev.pitwall.planner.estimate.Estimate;
import dev.pitwall.planner.estimate.EstimateReport;
import dev.pitwall.planner.estimate.Estimator;
import dev.pitwall.planner.estimate.ModelCatalog;
import dev.pitwall.planner.estimate.ModelSpec;
import dev.pitwall.planner.estimate.PlanSpec;
import java.util.List;
import java.util.Map;

/**
 * The Planner page's estimate form: the values as submitted (query parameters named like the
 * command-line options), and the estimate's sections as HTML, or what is wrong with the input.
 *
 * @param resultHtml the estimate's sections, escaped by their template; null before a submission or on an error
 * @param error      one line on what is wrong with the input; null when nothing is
 */
public record PlannerForm(Map<String, String> values, List<String> models, List<String> gpus, String resultHtml,
                          String error) {

    public String value(String name, String fallback) {
        String v = values.get(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** Reads the submitted values and estimates; an empty submission shows the form alone. */
    static PlannerForm of(Map<String, String> values) {
        List<String> models = ModelCatalog.builtIn().all().stream().map(ModelSpec::name).toList();
        List<String> gpus = GpuCatalog.builtIn().all().stream().map(GpuSpec::name).toList();
        if (!values.containsKey("model")) {
            return new PlannerForm(values, models, gpus, null, null);
        }
        try {
            PlanSpec spec = new PlanSpec(values.get("model"), null, blankToNull(values.get("tokens")),
                    integer(values, "seq-len"), integer(values, "global-batch"), integer(values, "micro-batch"), null, null,
                    integer(values, "zero"), integer(values, "tp"), integer(values, "pp"), null, null, null,
                    blankToNull(values.get("recompute")), null, null, blankToNull(values.get("gpu")), integer(values, "gpus"),
                    null, null, null, number(values, "mfu"), number(values, "price-per-gpu-hour"),
                    blankToNull(values.get("currency")));
            PlanSpec.Resolved r = spec.resolve(ModelCatalog.builtIn(), GpuCatalog.builtIn());
            Estimate estimate = Estimator.estimate(r.model(), r.setup(), r.cluster(), r.mfu(), r.pricePerGpuHour());
            return new PlannerForm(values, models, gpus, DocumentWriter.htmlSections(EstimateReport.of(estimate)), null);
        } catch (ConfigException | IllegalArgumentException e) {
            return new PlannerForm(values, models, gpus, null, e.getMessage());
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static Integer integer(Map<String, String> values, String name) {
        String v = blankToNull(values.get(name));
        if (v == null) {
            return null;
        }
        try {
            return Integer.valueOf(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": \"" + v + "\" is not a whole number");
        }
    }

    private static Double number(Map<String, String> values, String name) {
        String v = blankToNull(values.get(name));
        if (v == null) {
            return null;
        }
        try {
            return Double.valueOf(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": \"" + v + "\" is not a number");
        }
    }
}
