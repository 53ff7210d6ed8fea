package dev.podnet.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * In front of every handler, in exporter-toolkit's order: the rate limit (429), the configured response
 * headers, then basic authentication (401 with a {@code WWW-Authenticate} challenge). Every path is
 * covered, {@code /-/healthy} included: exporter-toolkit wraps the whole server, and so does podnet.
 */
final class AccessFilter extends Filter {
    static final String CHALLENGE = "Basic realm=\"podnet\"";

    private final WebSecurity security;

    AccessFilter(WebSecurity security) {
        this.security = security;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        WebSecurity.Active active = security.active();
        if (active.limiter() != null && !active.limiter().tryAcquire()) {
            refuse(exchange, 429, "Too Many Requests\n");
            return;
        }
        active.config().headers().forEach(exchange.getResponseHeaders()::set);
        Map<String, String> users = active.config().users();
        if (!users.isEmpty()) {
            String[] credentials = BasicAuth.credentials(exchange.getRequestHeaders().getFirst("Authorization"));
            if (credentials == null || !security.auth().check(users, credentials[0], credentials[1])) {
                exchange.getResponseHeaders().set("WWW-Authenticate", CHALLENGE);
                refuse(exchange, 401, "Unauthorized\n");
                return;
            }
        }
        chain.doFilter(exchange);
    }

    private static void refuse(HttpExchange exchange, int code, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(code, -1);
                return;
            }
            exchange.sendResponseHeaders(code, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public String description() {
        return "podnet web config: rate limit, headers, basic authentication";
    }
}
