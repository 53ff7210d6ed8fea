package dev.podnet.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.podnet.config.WebConfig.ClientAuth;
import dev.podnet.config.WebConfig.Pem;
import dev.podnet.config.WebConfig.RateLimit;
import dev.podnet.config.WebConfig.Tls;
import dev.podnet.config.WebConfig.TlsVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a web config file as exporter-toolkit does (docs/web-configuration.md): the same fields, the same
 * defaults, relative paths resolved against the file's directory, unknown fields refused. Every error
 * names the file and the field. Whether the certificate, key and CAs can be read and belong together is
 * checked where they are loaded ({@code http}), on every load and reload alike.
 */
public final class WebConfigLoader {
    static final List<String> FIELDS = List.of("tls_server_config", "http_server_config", "basic_auth_users", "rate_limit");
    static final List<String> TLS_FIELDS = List.of("cert", "key", "client_ca", "cert_file", "key_file", "client_auth_type",
            "client_ca_file", "client_allowed_sans", "min_version", "max_version", "cipher_suites",
            "prefer_server_cipher_suites", "curve_preferences");
    static final List<String> HTTP_FIELDS = List.of("http2", "headers");
    static final List<String> RATE_LIMIT_FIELDS = List.of("interval", "burst");
    /** The headers exporter-toolkit lets a config set, with the values it accepts (empty: any). */
    static final Map<String, List<String>> HEADERS = Map.of(
            "Strict-Transport-Security", List.of(),
            "X-Content-Type-Options", List.of("nosniff"),
            "X-Frame-Options", List.of("deny", "sameorigin"),
            "X-XSS-Protection", List.of(),
            "Content-Security-Policy", List.of());
    /** Go's curve names (crypto/tls CurveID) to JSSE named groups. */
    static final Map<String, String> CURVES = Map.of("CurveP256", "secp256r1", "CurveP384", "secp384r1",
            "CurveP521", "secp521r1", "X25519", "x25519");
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");
    private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?)(ns|us|µs|ms|s|m|h)");
    private static final ObjectMapper YAML = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private WebConfigLoader() {
    }

    public static WebConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("web config file " + file + ": cannot read it: " + reason(e), e);
        }
        try {
            return parse(text, file);
        } catch (ConfigException e) {
            throw new ConfigException("web config file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Why a file could not be read, in words: "does not exist", "permission denied", or the exception. */
    public static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException ignored -> "it does not exist";
            case AccessDeniedException ignored -> "permission denied";
            default -> e.toString();
        };
    }

    /** Parses the text of {@code file}; relative paths in it are taken from the file's directory. */
    public static WebConfig parse(String yaml, Path file) throws ConfigException {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException("not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""), e);
        }
        JsonNode top = mapping(root, "the web config", FIELDS);
        Path dir = file.toAbsolutePath().getParent();
        Tls tls = tls(mapping(top.get("tls_server_config"), "tls_server_config", TLS_FIELDS), dir);
        JsonNode http = mapping(top.get("http_server_config"), "http_server_config", HTTP_FIELDS);
        bool(http, "http_server_config", "http2", true); // the JDK server speaks HTTP/1.1 only: accepted, no effect
        return new WebConfig(file, tls, users(top.get("basic_auth_users")), headers(http.get("headers")),
                rateLimit(mapping(top.get("rate_limit"), "rate_limit", RATE_LIMIT_FIELDS)));
    }

    /** A mapping with only {@code known} fields; an absent or null node is an empty mapping. */
    private static JsonNode mapping(JsonNode node, String where, List<String> known) throws ConfigException {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return YAML.createObjectNode();
        }
        if (!node.isObject()) {
            throw new ConfigException(where + ": expected a mapping of fields, got " + kind(node));
        }
        String prefix = where.equals("the web config") ? "" : where + ".";
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                throw new ConfigException(prefix + field + ": unknown field (known fields: " + String.join(", ", known) + ")");
            }
        }
        return node;
    }

    private static Tls tls(JsonNode node, Path dir) throws ConfigException {
        Pem cert = pem(node, "cert", "cert_file", dir);
        Pem key = pem(node, "key", "key_file", dir);
        Pem clientCa = pem(node, "client_ca", "client_ca_file", dir);
        String clientAuthText = text(node, "tls_server_config", "client_auth_type", "");
        // exporter-toolkit turns TLS on when any of these is set, and then wants a certificate and a key.
        if (cert == null && key == null && clientCa == null && clientAuthText.isEmpty()) {
            return null;
        }
        if (cert == null) {
            throw new ConfigException("tls_server_config: missing one of cert or cert_file");
        }
        if (key == null) {
            throw new ConfigException("tls_server_config: missing one of key or key_file");
        }
        ClientAuth clientAuth = clientAuth(clientAuthText);
        if (clientCa != null && clientAuth == ClientAuth.NoClientCert) {
            throw new ConfigException("tls_server_config: client CAs are configured without a client_auth_type "
                    + "(RequireAndVerifyClientCert verifies client certificates against them)");
        }
        if (clientCa == null && clientAuth.verifies()) {
            throw new ConfigException("tls_server_config.client_auth_type: " + clientAuth
                    + " needs client_ca_file (or client_ca), the CAs to verify client certificates against");
        }
        TlsVersion min = version(node, "min_version", TlsVersion.TLS12);
        TlsVersion max = version(node, "max_version", TlsVersion.TLS13);
        if (min.compareTo(max) > 0) {
            throw new ConfigException("tls_server_config: min_version " + min + " is above max_version " + max);
        }
        List<String> sans = node.hasNonNull("client_allowed_sans") ? strings(node, "client_allowed_sans") : null;
        List<String> curves = new ArrayList<>();
        for (String curve : strings(node, "curve_preferences")) {
            String group = CURVES.get(curve);
            if (group == null) {
                throw new ConfigException("tls_server_config.curve_preferences: unknown curve \"" + curve + "\" (known: "
                        + String.join(", ", CURVES.keySet().stream().sorted().toList()) + ")");
            }
            curves.add(group);
        }
        return new Tls(cert, key, clientCa, clientAuth, sans, min, max, strings(node, "cipher_suites"),
                bool(node, "tls_server_config", "prefer_server_cipher_suites", true), List.copyOf(curves));
    }

    private static Pem pem(JsonNode node, String inlineField, String fileField, Path dir) throws ConfigException {
        String inline = text(node, "tls_server_config", inlineField, "");
        String file = text(node, "tls_server_config", fileField, "");
        if (!inline.isEmpty() && !file.isEmpty()) {
            throw new ConfigException("tls_server_config: set " + inlineField + " or " + fileField + ", not both");
        }
        if (!file.isEmpty()) {
            return new Pem(fileField, dir.resolve(file).normalize(), null);
        }
        return inline.isEmpty() ? null : new Pem(inlineField, null, inline);
    }

    private static ClientAuth clientAuth(String text) throws ConfigException {
        if (text.isEmpty()) {
            return ClientAuth.NoClientCert;
        }
        if (text.equals("RequireClientCert")) { // exporter-toolkit's older name
            return ClientAuth.RequireAnyClientCert;
        }
        try {
            return ClientAuth.valueOf(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("tls_server_config.client_auth_type: \"" + text + "\" is not one of "
                    + String.join(", ", Arrays.stream(ClientAuth.values()).map(Enum::name).toList()));
        }
    }

    private static TlsVersion version(JsonNode node, String field, TlsVersion fallback) throws ConfigException {
        String text = text(node, "tls_server_config", field, "");
        if (text.isEmpty()) {
            return fallback;
        }
        if (text.equals("TLS10") || text.equals("TLS11")) {
            throw new ConfigException("tls_server_config." + field + ": " + text + " is not supported (the JVM disables "
                    + "TLS 1.0 and 1.1); use TLS12 or TLS13");
        }
        try {
            return TlsVersion.valueOf(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("tls_server_config." + field + ": \"" + text + "\" is not one of TLS12, TLS13");
        }
    }

    private static Map<String, String> users(JsonNode node) throws ConfigException {
        Map<String, String> users = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return users;
        }
        if (!node.isObject()) {
            throw new ConfigException("basic_auth_users: expected a mapping of user name to bcrypt hash, got " + kind(node));
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String where = "basic_auth_users." + e.getKey();
            if (!e.getValue().isTextual()) {
                throw new ConfigException(where + ": expected a bcrypt hash, got " + kind(e.getValue()));
            }
            Matcher m = BCRYPT.matcher(e.getValue().asText());
            int cost = m.matches() ? Integer.parseInt(m.group(1)) : -1;
            if (cost < 4 || cost > 31) {
                // Never echo the value: it may be a password written by mistake.
                throw new ConfigException(where + ": not a bcrypt hash ($2y$, $2b$ or $2a$, cost 04-31, 60 characters; "
                        + "make one with: htpasswd -nBC 10 \"\" | tr -d ':\\n')");
            }
            users.put(e.getKey(), e.getValue().asText());
        }
        return users;
    }

    private static Map<String, String> headers(JsonNode node) throws ConfigException {
        Map<String, String> headers = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return headers;
        }
        if (!node.isObject()) {
            throw new ConfigException("http_server_config.headers: expected a mapping of header to value, got " + kind(node));
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String where = "http_server_config.headers." + e.getKey();
            List<String> allowed = HEADERS.get(e.getKey());
            if (allowed == null) {
                throw new ConfigException(where + ": this header can not be configured (these can: "
                        + String.join(", ", HEADERS.keySet().stream().sorted().toList()) + ")");
            }
            if (!e.getValue().isValueNode()) {
                throw new ConfigException(where + ": expected a value, got " + kind(e.getValue()));
            }
            String value = e.getValue().asText();
            if (!allowed.isEmpty() && !allowed.contains(value)) {
                throw new ConfigException(where + ": \"" + value + "\" is not one of " + String.join(", ", allowed));
            }
            if (!value.isEmpty()) {
                headers.put(e.getKey(), value);
            }
        }
        return headers;
    }

    private static RateLimit rateLimit(JsonNode node) throws ConfigException {
        Duration interval = goDuration("rate_limit.interval", text(node, "rate_limit", "interval", "0"));
        JsonNode burstNode = node.get("burst");
        int burst = 0;
        if (burstNode != null && !burstNode.isNull()) {
            if (!burstNode.isInt() || burstNode.asInt() < 0) {
                throw new ConfigException("rate_limit.burst: expected a whole number of requests, got " + burstNode);
            }
            burst = burstNode.asInt();
        }
        if (interval.isZero()) {
            return null;
        }
        if (burst < 1) {
            throw new ConfigException("rate_limit.burst: must be at least 1 when rate_limit.interval is set (0 lets no request through)");
        }
        return new RateLimit(interval, burst);
    }

    /** Go's time.ParseDuration, as the toolkit reads {@code interval}: {@code 0}, {@code 1s}, {@code 1m30s}, {@code 500ms}. */
    static Duration goDuration(String field, String text) throws ConfigException {
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = GO_DURATION_PART.matcher(text);
        long nanos = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double unit = switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            nanos += (long) (Double.parseDouble(m.group(1)) * unit);
            end = m.end();
        }
        if (end == 0 || end != text.length()) {
            throw new ConfigException(field + ": \"" + text + "\" is not a duration (write e.g. 1s, 500ms, 1m30s, or 0 for none)");
        }
        return Duration.ofNanos(nanos);
    }

    private static String text(JsonNode node, String where, String field, String fallback) throws ConfigException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isValueNode()) {
            throw new ConfigException(where + "." + field + ": expected a single value, got " + kind(value));
        }
        return value.asText();
    }

    private static boolean bool(JsonNode node, String where, String field, boolean fallback) throws ConfigException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw new ConfigException(where + "." + field + ": expected true or false, got " + value);
        }
        return value.asBoolean();
    }

    private static List<String> strings(JsonNode node, String field) throws ConfigException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new ConfigException("tls_server_config." + field + ": expected a list, got " + kind(value));
        }
        List<String> items = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isValueNode()) {
                throw new ConfigException("tls_server_config." + field + "[" + i + "]: expected a single value, got " + kind(value.get(i)));
            }
            items.add(value.get(i).asText());
        }
        return List.copyOf(items);
    }

    private static String kind(JsonNode node) {
        return node.isArray() ? "a list" : node.isObject() ? "a mapping" : node.getNodeType().toString().toLowerCase();
    }
}
