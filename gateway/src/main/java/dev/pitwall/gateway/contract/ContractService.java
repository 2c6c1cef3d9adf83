package dev.pitwall.gateway.contract;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/** {@code GET /openapi.yaml}: the gateway's OpenAPI document, for client generators and API catalogs. */
public final class ContractService implements HttpService {

    public static final String PATH = "/openapi.yaml";

    private final byte[] document;

    public ContractService(OpenApiContract contract) {
        this.document = contract.document();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "application/yaml; charset=utf-8");
            res.send(document);
        });
    }
}
