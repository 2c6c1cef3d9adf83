package dev.pitwall.server.http;

import dev.pitwall.core.http.ApiError;
import io.helidon.common.uri.UriFragment;
import io.helidon.common.uri.UriPath;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.http.PathMatcher;
import io.helidon.http.PathMatchers;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRoute;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * The server's routes, recorded as the services register them, so that a request no route took
 * is answered as HTTP says: 405 with {@code Allow} when its path is served with other methods,
 * {@code OPTIONS} with the path's {@code Allow} (never needing a key), {@code HEAD} as the
 * {@code GET} it mirrors without the body, and 404 only for a path nothing serves.
 */
public final class RouteTable {

    private static final List<Method> METHODS = List.of(Method.GET, Method.POST, Method.PUT, Method.PATCH, Method.DELETE);
    /** A path no route serves: a route that takes it takes every path (a filter such as authentication). */
    private static final UriPath PROBE = UriPath.create("/route-table-probe-no-such-path");

    private record Entry(PathMatcher prefix, HttpRoute route) {

        /** Whether the route takes {@code method} on {@code path}; with its path parameters, if any. */
        Optional<PathMatchers.MatchResult> takes(Method method, UriPath path) {
            PathMatchers.PrefixMatchResult under = prefix.prefixMatch(path);
            if (!under.accepted()) {
                return Optional.empty();
            }
            PathMatchers.MatchResult match = route.accepts(prologue(method, under.unmatchedPath()));
            return match.accepted() ? Optional.of(match) : Optional.empty();
        }
    }

    private static HttpPrologue prologue(Method method, UriPath path) {
        return HttpPrologue.create("HTTP/1.1", "HTTP", "1.1", method, path, UriQuery.empty(), UriFragment.empty());
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    /** The service as registered under {@code prefix}, its routes recorded here. */
    public HttpService recorded(String prefix, HttpService service) {
        PathMatcher matcher = PathMatchers.create(prefix);
        return new HttpService() {
            @Override
            public void routing(HttpRules rules) {
                service.routing(new Recording(rules, matcher));
            }

            @Override
            public void beforeStart() {
                service.beforeStart();
            }

            @Override
            public void afterStart(WebServer server) {
                service.afterStart(server);
            }

            @Override
            public void afterStop() {
                service.afterStop();
            }
        };
    }

    /** The methods the path is served with, HEAD and OPTIONS included; empty when no route serves it. */
    Set<Method> allowed(UriPath path) {
        Set<Method> allowed = new LinkedHashSet<>();
        for (Method method : METHODS) {
            if (entries.stream().anyMatch(e -> e.takes(method, path).isPresent())) {
                allowed.add(method);
                if (method == Method.GET) {
                    allowed.add(Method.HEAD);
                }
            }
        }
        if (!allowed.isEmpty()) {
            allowed.add(Method.OPTIONS);
        }
        return allowed;
    }

    /** The last route: what no other route took. */
    public void unmatched(ServerRequest request, ServerResponse response) throws Exception {
        Method method = request.prologue().method();
        UriPath path = request.prologue().uriPath();
        Set<Method> allowed = allowed(path);
        if (allowed.isEmpty()) {
            ErrorResponses.notFound(request, response);
            return;
        }
        if (method == Method.HEAD) {
            Optional<Handler> get = plainGet(path);
            if (get.isPresent()) {
                get.get().handle(request, new HeadResponse(response));
                return;
            }
        }
        response.header(HeaderNames.ALLOW, allowed.stream().map(Method::text).collect(Collectors.joining(", ")));
        if (method == Method.OPTIONS) {
            response.status(Status.NO_CONTENT_204).send();
            return;
        }
        ApiError.of(Status.METHOD_NOT_ALLOWED_405, method.text() + " is not served on " + path.path() + ": use "
                + allowed.stream().filter(m -> m != Method.OPTIONS && m != Method.HEAD).map(Method::text)
                .collect(Collectors.joining(" or "))).send(response);
    }

    /** The GET route of a path without path parameters (those a fallback request does not carry). */
    private Optional<Handler> plainGet(UriPath path) {
        for (Entry entry : entries) {
            Optional<PathMatchers.MatchResult> match = entry.takes(Method.GET, path);
            if (match.isPresent() && match.get().path().pathParameters().isEmpty()) {
                return Optional.of(entry.route().handler());
            }
        }
        return Optional.empty();
    }

    /** The rules a service registers into, each route also recorded with the service's prefix. */
    private final class Recording implements HttpRules {
        private final HttpRules rules;
        private final PathMatcher prefix;

        Recording(HttpRules rules, PathMatcher prefix) {
            this.rules = rules;
            this.prefix = prefix;
        }

        @Override
        public HttpRules register(HttpService... services) {
            rules.register(services);
            return this;
        }

        @Override
        public HttpRules register(String pathPattern, HttpService... services) {
            rules.register(pathPattern, services);
            return this;
        }

        @Override
        public HttpRules route(HttpRoute route) {
            rules.route(route);
            if (METHODS.stream().noneMatch(method -> route.accepts(prologue(method, PROBE)).accepted())) {
                entries.add(new Entry(prefix, route));
            }
            return this;
        }
    }
}
