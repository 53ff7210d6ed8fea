package dev.podnet.policy;

import dev.podnet.config.ConfigException;
import dev.podnet.config.PodLabels;
import dev.podnet.config.PodnetConfig.PodLabel;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a MonitorPolicy into a {@link Task}, or refuses it with a message that names the field and
 * the value. The API server's schema refuses most of these already; this is the agent's own check,
 * since the CRD installed may be older than the agent (or missing its rules).
 */
public final class PolicyCompiler {
    static final int MAX_PERIOD_SECONDS = 3600;
    private static final Set<String> SELECTOR_OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

    private PolicyCompiler() {
    }

    public static Task compile(MonitorPolicy policy) throws PolicyException {
        String namespace = policy.getMetadata().getNamespace();
        String name = namespace + "/" + policy.getMetadata().getName();
        MonitorPolicySpec spec = policy.getSpec() == null
                ? new MonitorPolicySpec(null, null, null, null, null, null, null, null) : policy.getSpec();
        try {
            checkSelector(spec.selector());
            List<PodLabel> labels = PodLabels.of(spec.podLabel() == null ? List.of() : spec.podLabel(), "spec.podLabel");
            Map<Measure, Measure.Aggregation> measures = measures(spec.monitor());
            return new Task(name, namespace, spec.selector(), labels, measures, on(spec.ip4Tx()), on(spec.ip4Rx()),
                    on(spec.ip4TxInternet()), healthCheck(spec.healthCheck()), flowKey(spec.flowKey()),
                    created(policy.getMetadata().getCreationTimestamp()), null);
        } catch (ConfigException | PolicyException e) {
            throw new PolicyException("MonitorPolicy " + name + ": " + e.getMessage());
        }
    }

    private static boolean on(MonitorPolicySpec.Toggle toggle) {
        return toggle != null && toggle.on();
    }

    private static void checkSelector(LabelSelector selector) throws PolicyException {
        if (selector == null || selector.getMatchExpressions() == null) {
            return;
        }
        List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
        for (int i = 0; i < expressions.size(); i++) {
            LabelSelectorRequirement r = expressions.get(i);
            String where = "spec.selector.matchExpressions[" + i + "]";
            if (r.getKey() == null || r.getKey().isBlank()) {
                throw new PolicyException(where + ".key: missing");
            }
            if (!SELECTOR_OPERATORS.contains(r.getOperator())) {
                throw new PolicyException(where + ".operator: \"" + r.getOperator() + "\" is not In, NotIn, Exists or DoesNotExist");
            }
            boolean needsValues = r.getOperator().equals("In") || r.getOperator().equals("NotIn");
            boolean hasValues = r.getValues() != null && !r.getValues().isEmpty();
            if (needsValues != hasValues) {
                throw new PolicyException(where + ".values: " + r.getOperator() + (needsValues ? " needs values" : " takes no values"));
            }
        }
    }

    private static Map<Measure, Measure.Aggregation> measures(MonitorPolicySpec.Monitor monitor) throws PolicyException {
        Map<Measure, Measure.Aggregation> result = new EnumMap<>(Measure.class);
        if (monitor == null) {
            return result;
        }
        MonitorPolicySpec.Ip ip = monitor.ip();
        MonitorPolicySpec.Tcp tcp = monitor.tcp();
        MonitorPolicySpec.Udp udp = monitor.udp();
        put(result, Measure.IP_RECEIVE, ip == null ? null : ip.ipReceive());
        put(result, Measure.IP_SEND, ip == null ? null : ip.ipSend());
        put(result, Measure.TCP_RECEIVE, tcp == null ? null : tcp.tcpReceive());
        put(result, Measure.TCP_SEND, tcp == null ? null : tcp.tcpSend());
        put(result, Measure.TCP_RETRANS, tcp == null ? null : tcp.tcpRetrans());
        put(result, Measure.TCP_RTT, tcp == null ? null : tcp.tcpRtt());
        put(result, Measure.TCP_NEW_CONNECTION, tcp == null ? null : tcp.tcpNewConnection());
        put(result, Measure.TCP_DROP, tcp == null ? null : tcp.tcpDrop());
        put(result, Measure.TCP_CONNECTION_FAILURE, tcp == null ? null : tcp.tcpConnectionFailure());
        put(result, Measure.UDP_RECEIVE, udp == null ? null : udp.udpReceive());
        put(result, Measure.UDP_SEND, udp == null ? null : udp.udpSend());
        return result;
    }

    private static void put(Map<Measure, Measure.Aggregation> into, Measure measure, MonitorPolicySpec.Item item)
            throws PolicyException {
        if (item == null) {
            return;
        }
        String type = item.aggregateType() == null ? "" : item.aggregateType();
        Measure.Aggregation aggregation = switch (type) {
            case "pod" -> Measure.Aggregation.POD;
            case "flow" -> Measure.Aggregation.FLOW;
            default -> throw new PolicyException(measure.field() + ".aggregateType: \"" + type + "\" is not "
                    + allowedText(measure));
        };
        if (!measure.allowed().contains(aggregation)) {
            throw new PolicyException(measure.field() + ".aggregateType: \"" + type + "\" is not allowed here, only "
                    + allowedText(measure));
        }
        into.put(measure, aggregation);
    }

    private static String allowedText(Measure measure) {
        return String.join(" or ", measure.allowed().stream().map(a -> a.name().toLowerCase(Locale.ROOT)).toList());
    }

    private static Task.HealthCheck healthCheck(MonitorPolicySpec.HealthCheck check) throws PolicyException {
        if (check == null || !Boolean.TRUE.equals(check.enable())) {
            return null;
        }
        String commandText = check.command() == null || check.command().isEmpty() ? "ping" : check.command();
        Task.Command command = switch (commandText) {
            case "ping" -> Task.Command.PING;
            case "arping" -> Task.Command.ARPING;
            case "curl" -> Task.Command.CURL;
            default -> throw new PolicyException("spec.healthCheck.command: \"" + commandText + "\" is not ping, arping or curl");
        };
        Set<Task.IpFamily> families = EnumSet.noneOf(Task.IpFamily.class);
        List<String> given = check.ipFamilies() == null ? List.of() : check.ipFamilies();
        for (int i = 0; i < given.size(); i++) {
            String family = given.get(i) == null ? "" : given.get(i);
            switch (family) {
                case "", "IPv4" -> families.add(Task.IpFamily.IPV4);
                case "IPv6" -> families.add(Task.IpFamily.IPV6);
                default -> throw new PolicyException("spec.healthCheck.ipFamilies[" + i + "]: \"" + family + "\" is not IPv4 or IPv6");
            }
        }
        if (families.isEmpty()) {
            families.add(Task.IpFamily.IPV4);
        }
        if (command == Task.Command.ARPING && families.contains(Task.IpFamily.IPV6)) {
            throw new PolicyException("spec.healthCheck.ipFamilies: arping asks over ARP, which is IPv4 only");
        }
        int threshold = check.failureThreshold() == null ? 1 : check.failureThreshold();
        if (threshold < 1 || threshold > 100) {
            throw new PolicyException("spec.healthCheck.failureThreshold: " + threshold + " is not from 1 to 100");
        }
        int period = check.periodSeconds() == null ? 60 : check.periodSeconds();
        if (period < 1 || period > MAX_PERIOD_SECONDS) {
            throw new PolicyException("spec.healthCheck.periodSeconds: " + period + " is not from 1 to " + MAX_PERIOD_SECONDS);
        }
        int port = 0;
        String path = "/";
        if (command == Task.Command.CURL) {
            if (check.port() == null || check.port() < 1 || check.port() > 65535) {
                throw new PolicyException("spec.healthCheck.port: curl needs a port from 1 to 65535, got " + check.port());
            }
            port = check.port();
            if (check.path() != null && !check.path().isEmpty()) {
                // dolphin's own example writes "healthz": a path relative to the root
                path = check.path().startsWith("/") ? check.path() : "/" + check.path();
            }
        }
        return new Task.HealthCheck(command, families, threshold, Duration.ofSeconds(period), port, path);
    }

    private static Task.FlowKey flowKey(String text) throws PolicyException {
        if (text == null || text.isEmpty() || text.equals("service")) {
            return Task.FlowKey.SERVICE;
        }
        if (text.equals("5tuple")) {
            return Task.FlowKey.FIVE_TUPLE;
        }
        throw new PolicyException("spec.flowKey: \"" + text + "\" is not service or 5tuple");
    }

    private static Instant created(String timestamp) {
        if (timestamp == null) {
            return Instant.EPOCH;
        }
        try {
            return Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }
}
