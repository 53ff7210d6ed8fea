package dev.podnet.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One scrape of /metrics in the Prometheus text format, parsed for assertions. */
public final class Scrape {
    public record Series(String name, Map<String, String> labels, double value) {
        public String label(String name) {
            return labels.getOrDefault(name, "");
        }
    }

    private final String text;
    private final List<Series> series = new ArrayList<>();

    public Scrape(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            series.add(parse(line));
        }
    }

    public static Scrape of(int port) throws Exception {
        return new Scrape(get("http://127.0.0.1:" + port + "/metrics"));
    }

    public static String get(String url) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    public String text() {
        return text;
    }

    public List<Series> all() {
        return series;
    }

    /** Series with this name whose labels include all of {@code match} (name, value, name, value...). */
    public List<Series> find(String name, String... match) {
        List<Series> found = new ArrayList<>();
        for (Series s : series) {
            if (!s.name().equals(name)) {
                continue;
            }
            boolean ok = true;
            for (int i = 0; i < match.length; i += 2) {
                if (!match[i + 1].equals(s.labels().getOrDefault(match[i], ""))) {
                    ok = false;
                    break;
                }
            }
            if (ok) {
                found.add(s);
            }
        }
        return found;
    }

    /** The value of exactly one matching series; fails when there is none or several. */
    public double value(String name, String... match) {
        List<Series> found = find(name, match);
        if (found.size() != 1) {
            throw new AssertionError("expected one series " + name + " " + List.of(match) + ", found " + found.size()
                    + (found.isEmpty() ? "" : ": " + found));
        }
        return found.getFirst().value();
    }

    public Optional<Double> maybe(String name, String... match) {
        List<Series> found = find(name, match);
        return found.size() == 1 ? Optional.of(found.getFirst().value()) : Optional.empty();
    }

    /** Sum over all matching series. */
    public double sum(String name, String... match) {
        return find(name, match).stream().mapToDouble(Series::value).sum();
    }

    private static Series parse(String line) {
        int brace = line.indexOf('{');
        int space;
        String name;
        Map<String, String> labels = new LinkedHashMap<>();
        if (brace >= 0) {
            name = line.substring(0, brace);
            int i = brace + 1;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String key = line.substring(i, eq).strip();
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char n = line.charAt(++j);
                        value.append(n == 'n' ? '\n' : n);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(key, value.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            space = line.indexOf(' ', i);
        } else {
            space = line.indexOf(' ');
            name = line.substring(0, space);
        }
        String[] rest = line.substring(space + 1).strip().split(" ");
        return new Series(name, labels, Double.parseDouble(rest[0]));
    }
}
