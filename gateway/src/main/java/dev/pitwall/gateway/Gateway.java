package dev.pitwall.gateway;

import dev.pitwall.gateway.api.OpenAiService;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.gateway.routing.Router;
import dev.pitwall.gateway.upstream.UpstreamClients;
import io.helidon.webserver.http.HttpService;
import java.util.Map;
import java.util.random.RandomGenerator;

/** The LLM gateway: its router, its upstream clients and its {@code /v1} routes. */
public final class Gateway implements AutoCloseable {

    /** Where {@link #service()} is mounted. */
    public static final String PATH = "/v1";

    private final Router router;
    private final UpstreamClients clients;
    private final OpenAiService service;

    /** @param env where backends' API key variables are looked up */
    public Gateway(GatewayConfig config, Map<String, String> env) {
        this.router = new Router(config, RandomGenerator.getDefault());
        this.clients = new UpstreamClients(router.backends(), env);
        this.service = new OpenAiService(router, clients);
    }

    public HttpService service() {
        return service;
    }

    public Router router() {
        return router;
    }

    @Override
    public void close() {
        clients.close();
    }
}
