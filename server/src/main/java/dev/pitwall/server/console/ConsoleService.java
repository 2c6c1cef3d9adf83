package dev.pitwall.server.console;

import dev.pitwall.acceptance.campaign.CampaignStatus;
import dev.pitwall.acceptance.campaign.CampaignStore;
import dev.pitwall.acceptance.store.AcceptanceRuns;
import dev.pitwall.core.http.NoCache;
import dev.pitwall.core.report.Document;
import dev.pitwall.core.report.DocumentWriter;
import dev.pitwall.core.storage.Database;
import dev.pitwall.gateway.Gateway;
import dev.pitwall.server.BuildInfo;
import dev.pitwall.server.report.IntegrationReport;
import dev.pitwall.server.report.MetricDesignReport;
import dev.pitwall.trainops.TrainOps;
import dev.pitwall.trainops.drill.DrillStore;
import dev.pitwall.trainops.fleet.NodeSightings;
import dev.pitwall.trainops.incident.Incident;
import dev.pitwall.trainops.incident.IncidentReports;
import dev.pitwall.trainops.incident.IncidentTimeline;
import dev.pitwall.trainops.incident.Incidents;
import dev.pitwall.trainops.incident.Reliability;
import dev.pitwall.trainops.incident.StabilityReport;
import dev.pitwall.trainops.incident.SupportSummary;
import dev.pitwall.trainops.incident.Symptoms;
import dev.pitwall.trainops.knowledge.KnowledgeBase;
import dev.pitwall.trainops.signal.Signal;
import dev.pitwall.trainops.signal.SignalStore;
import dev.pitwall.trainops.signal.StoredSignal;
import dev.pitwall.trainops.telemetry.UtilizationStore;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The web console: server-rendered pages (JTE templates compiled at build time) with a shared
 * layout and navigation, plus {@code /api/system}, the JSON the overview's live chart polls.
 */
public final class ConsoleService implements HttpService {

    static final List<ConsoleSection> SECTIONS = List.of(
            new ConsoleSection("/serving", "Serving",
                    "The LLM gateway: request rate, time to first token and errors by model and backend, "
                            + "each backend's health, load, concurrency limit and quality breaker, the requests slowest "
                            + "in the gateway with their causes, and the service-level objectives' budgets; refreshed "
                            + "every few seconds.",
                    "No inference backends yet",
                    "Add backends under gateway.backends in pitwall.yaml (see docs/gateway.md); "
                            + "./pitwall demo starts two simulated ones.", "serving.jte"),
            new ConsoleSection("/prompts", "Prompts",
                    "Prompt releases: each prompt's versions (and what changed between two), labels, rollout, "
                            + "requests, errors and time to first token per version, and how labels moved, rollbacks "
                            + "included; refreshed every two seconds.",
                    "No prompts yet",
                    "Create one through POST /admin/api/prompts/{name}/versions or a folder of prompt files "
                            + "(see docs/prompts.md); ./pitwall demo ships one.", "prompts.jte"),
            new ConsoleSection("/training", "Training",
                    "Cluster acceptance runs, incidents with their timelines and the cluster's reliability figures.",
                    "No acceptance runs yet",
                    "Acceptance verdicts appear here; ./pitwall demo stores a simulated one.", "runs.jte"),
            new ConsoleSection("/planner", "Planner",
                    "Compute, memory and communication estimates of a training run.",
                    "No estimate yet",
                    "Pick a model and a layout in the form.", "planner.jte"),
            new ConsoleSection("/reports", "Reports",
                    "Every report Pitwall writes: reliability, training estimates, acceptance runs, campaigns and incidents.",
                    "No reports yet",
                    "Reports written by Pitwall appear here, ready to read or download.", "reports.jte"));

    /** Timeline entries on one page of an incident's console page. */
    static final int TIMELINE_PAGE = 100;

    private final TemplateEngine templates = TemplateEngine.createPrecompiled(ContentType.Html);
    private final Database database;
    private final Gateway gateway;
    private final AcceptanceRuns acceptanceRuns;
    private final CampaignStore campaigns;
    private final SignalStore signals;
    private final Incidents incidents;
    private final DrillStore drills;
    private final KnowledgeBase knowledge;
    private final UtilizationStore utilization;
    private final NodeSightings sightings;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Instant startedAt;
    private final LoadHistory history;
    private final BuildInfo build = BuildInfo.current();

    public ConsoleService(Database database, AcceptanceRuns acceptanceRuns, CampaignStore campaigns, TrainOps trainOps,
                          Gateway gateway, MeterRegistry registry, Clock clock) {
        this.gateway = gateway;
        this.campaigns = campaigns;
        this.knowledge = trainOps.knowledge();
        this.database = database;
        this.acceptanceRuns = acceptanceRuns;
        this.signals = trainOps.signals();
        this.incidents = trainOps.incidents();
        this.drills = trainOps.drills();
        this.utilization = trainOps.utilization();
        this.sightings = trainOps.sightings();
        this.registry = registry;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.history = new LoadHistory(registry, clock);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::overview);
        for (ConsoleSection section : SECTIONS) {
            rules.get(section.path(), (request, response) -> section(section, request, response));
        }
        rules.get("/training/incidents/{id}", this::incident);
        rules.get("/reports/reliability", this::reliability);
        rules.get("/reports/metrics", this::metricDesign);
        rules.get("/reports/support", this::support);
        rules.get("/reports/integration", this::integration);
        rules.get("/reports/stability", this::stability);
        rules.get("/api/system", this::systemJson);
        rules.get("/api/system/history", this::historyJson);
    }

    private void overview(ServerRequest request, ServerResponse response) {
        FleetGlance fleet = FleetGlance.of(incidents.recent(FleetGlance.INCIDENTS_READ), gateway.router().backends(),
                acceptanceRuns.recent(1));
        render(response, "overview.jte", Map.of("view", view("/", "Overview"), "status", status(), "fleet", fleet));
    }

    private void section(ConsoleSection section, ServerRequest request, ServerResponse response) {
        Map<String, Object> model = new java.util.HashMap<>(Map.of("view", view(section.path(), section.title()),
                "section", section));
        if (section.template().equals("planner.jte")) {
            Map<String, String> values = new java.util.HashMap<>();
            request.query().names().forEach(name -> values.put(name, request.query().first(name).orElse("")));
            PlannerForm form = PlannerForm.of(values);
            model.put("form", form);
            if (form.error() != null) {
                response.status(io.helidon.http.Status.BAD_REQUEST_400);
            }
        }
        if (section.template().equals("reports.jte")) {
            model.put("runs", acceptanceRuns.recent(50));
            model.put("campaigns", CampaignStatus.Summary.recent(campaigns, 20));
            model.put("drills", drills.recent(20));
            model.put("incidents", incidents.recent(50));
        }
        if (section.template().equals("runs.jte")) {
            model.put("runs", acceptanceRuns.recent(50));
            boolean training = section.path().equals("/training");
            model.put("incidents", training ? incidents.recent(50) : List.of());
            model.put("signals", training ? signals.recent(50) : List.of());
            model.put("reliability", training ? reliabilityHtml() : null);
        }
        render(response, section.template(), model);
    }

    private static final Duration RELIABILITY_PERIOD = Duration.ofDays(30);
    private static final Duration STABILITY_PERIOD = Duration.ofDays(7);
    private static final int KNOWLEDGE_MATCHES = 3;

    /** The last 30 days' reliability figures and charts, for the Training page; null before the first incident. */
    private String reliabilityHtml() {
        Instant to = clock.instant();
        Instant from = to.minus(RELIABILITY_PERIOD);
        List<Incident> recent = incidents.detectedBetween(from, to);
        if (recent.isEmpty()) {
            return null;
        }
        Reliability reliability = Reliability.of(recent, from, to, sightings.observed(from, to), OptionalInt.empty(),
                utilization.between(from, to));
        return DocumentWriter.htmlSections(IncidentReports.reliability(reliability, false));
    }

    /** The reliability report of the last 30 days as a page of its own, for the Reports list. */
    private void reliability(ServerRequest request, ServerResponse response) {
        String html = reliabilityHtml();
        render(response, "document.jte", Map.of("view", view("/reports", "Reliability, last 30 days"),
                "title", "Reliability, last 30 days", "lead", html == null ? "No incident in the last 30 days: nothing "
                        + "to measure yet." : "MTBF, failure rates, time to detect and to recover, failure modes.",
                "html", html == null ? "" : html));
    }

    /** The metric design report with this server's values now, as a page of its own. */
    private void metricDesign(ServerRequest request, ServerResponse response) {
        Document report = MetricDesignReport.document(MetricDesignReport.now(database, clock, "bf16"));
        render(response, "document.jte", Map.of("view", view("/reports", report.title()), "title", report.title(),
                "lead", report.lead(), "html", DocumentWriter.htmlSections(report)));
    }

    /** The integration test report from this store's newest runs, as a page of its own. */
    private void integration(ServerRequest request, ServerResponse response) {
        Document report = IntegrationReport.document(IntegrationReport.of(acceptanceRuns));
        render(response, "document.jte", Map.of("view", view("/reports", report.title()), "title", report.title(),
                "lead", report.lead(), "html", DocumentWriter.htmlSections(report)));
    }

    /** How the last seven days held up, every job together, as a page of its own. */
    private void stability(ServerRequest request, ServerResponse response) {
        Instant to = clock.instant();
        Instant from = to.minus(STABILITY_PERIOD);
        Document report = StabilityReport.read(database, clock, from, to, null, Set.of(), null).document();
        render(response, "document.jte", Map.of("view", view("/reports", report.title()), "title", report.title(),
                "lead", report.lead(), "html", DocumentWriter.htmlSections(report)));
    }

    /** The training-support summary of the last 30 days, as a page of its own. */
    private void support(ServerRequest request, ServerResponse response) {
        Instant to = clock.instant();
        Instant from = to.minus(RELIABILITY_PERIOD);
        List<Incident> recent = incidents.detectedBetween(from, to);
        Map<Long, List<Signal>> byIncident = new HashMap<>();
        recent.forEach(i -> byIncident.put(i.id(), signals.ofIncident(i.id()).stream().map(StoredSignal::signal).toList()));
        Document report = SupportSummary.of(recent, byIncident, knowledge.all(), from, to, null).document();
        render(response, "document.jte", Map.of("view", view("/reports", report.title()), "title", report.title(),
                "lead", report.lead(), "html", DocumentWriter.htmlSections(report)));
    }

    /** One incident's page: its summary and timeline. */
    private void incident(ServerRequest request, ServerResponse response) {
        String rawId = request.path().pathParameters().get("id");
        Optional<Incident> incident = incidents.get(rawId);
        if (incident.isEmpty()) {
            response.status(Status.NOT_FOUND_404);
            render(response, "document.jte", Map.of("view", view("/training", "No such incident"),
                    "title", "No such incident", "lead", "There is no incident " + rawId + ".", "html", ""));
            return;
        }
        Incident i = incident.get();
        List<StoredSignal> own = signals.ofIncident(i.id());
        List<IncidentTimeline.Entry> timeline = IncidentTimeline.of(i, own);
        int pages = Math.max(1, (timeline.size() + TIMELINE_PAGE - 1) / TIMELINE_PAGE);
        String rawPage = request.query().first("page").orElse("1");
        int page = rawPage.matches("\\d{1,6}") ? Math.min(Math.max(Integer.parseInt(rawPage), 1), pages) : 1;
        IncidentTimeline.Page shown = IncidentTimeline.page(timeline, (page - 1) * TIMELINE_PAGE, TIMELINE_PAGE);
        Document report = IncidentReports.incident(i, shown.entries(),
                knowledge.search(Symptoms.of(i, own), KNOWLEDGE_MATCHES));
        render(response, "incident.jte", Map.of("view", view("/training", report.title()), "title", report.title(),
                "lead", report.lead(), "html", DocumentWriter.htmlSections(report) + pageLinks(i.id(), page, pages, shown),
                "incident", i));
    }

    /** "Timeline entries 101–200 of 7,740", with the previous and next pages' links. */
    private static String pageLinks(long incident, int page, int pages, IncidentTimeline.Page shown) {
        if (pages == 1) {
            return "";
        }
        StringBuilder html = new StringBuilder("<nav class=\"pages\"><p>Timeline entries ")
                .append(shown.offset() + 1).append("–").append(shown.offset() + shown.entries().size())
                .append(" of ").append(String.format(java.util.Locale.ROOT, "%,d", shown.total())).append(". ");
        if (page > 1) {
            html.append("<a href=\"/training/incidents/").append(incident).append("?page=").append(page - 1)
                    .append("\">Previous page</a> ");
        }
        if (page < pages) {
            html.append("<a href=\"/training/incidents/").append(incident).append("?page=").append(page + 1)
                    .append("\">Next page</a>");
        }
        return html.append("</p></nav>").toString();
    }

    /** The last ten minutes of requests served and heap, every two seconds, oldest first. */
    private void historyJson(ServerRequest request, ServerResponse response) throws Exception {
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.header(NoCache.HEADER);
        response.send(dev.pitwall.core.json.Json.mapper().writeValueAsBytes(history.samples()));
    }

    @Override
    public void afterStop() {
        history.close();
    }

    private void systemJson(ServerRequest request, ServerResponse response) throws Exception {
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.header(NoCache.HEADER);
        response.send(dev.pitwall.core.json.Json.mapper().writeValueAsBytes(status()));
    }

    private SystemStatus status() {
        return SystemStatus.read(build.version(), startedAt, clock.instant(), database, registry);
    }

    private ConsoleView view(String path, String title) {
        List<ConsoleView.NavItem> items = new ArrayList<>();
        items.add(new ConsoleView.NavItem("/", "Overview", path.equals("/")));
        for (ConsoleSection section : SECTIONS) {
            items.add(new ConsoleView.NavItem(section.path(), section.title(), section.path().equals(path)));
        }
        return new ConsoleView(title, items, build.version(), build.uplotVersion());
    }

    private void render(ServerResponse response, String template, Map<String, Object> model) {
        StringOutput out = new StringOutput();
        templates.render(template, model, out);
        response.header(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8");
        response.send(out.toString());
    }
}
