package dev.pitwall.gateway.api;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerResponse;

/**
 * An OpenAI-style engine on loopback for the gateway's tests: it lists no models (the gateway
 * takes them from its config) and hands each chat request's body to the test, which answers it
 * with {@link #answer} or otherwise.
 */
final class ChatBackend implements AutoCloseable {

    /** What the engine does with one chat request. */
    interface Chat {
        void handle(String body, ServerResponse res) throws Exception;
    }

    private final WebServer server;

    ChatBackend(Chat chat) {
        server = WebServer.builder().host("127.0.0.1").port(0).shutdownHook(false).featuresDiscoverServices(false)
                .routing(HttpRouting.builder()
                        .get("/v1/models", (req, res) -> res.send("{\"object\":\"list\",\"data\":[]}"))
                        .post("/v1/chat/completions", (req, res) -> chat.handle(req.content().as(String.class), res)))
                .build().start();
    }

    /** A whole chat answer of {@code content} from {@code model}, with its usage. */
    static void answer(ServerResponse res, String model, String content) {
        res.header("Content-Type", "application/json");
        res.send("{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":0,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content
                + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":9,"
                + "\"total_tokens\":18}}");
    }

    /** Its base URL, as a backend's {@code url} is written. */
    String url() {
        return "http://127.0.0.1:" + server.port() + "/v1";
    }

    @Override
    public void close() {
        server.stop();
    }
}
