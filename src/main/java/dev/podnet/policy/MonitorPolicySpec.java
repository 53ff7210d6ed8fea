package dev.podnet.policy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/**
 * The spec of a {@link MonitorPolicy}, field for field as dolphin has it. Every part is optional: an
 * absent item is off.
 *
 * @param selector      the pods to watch (absent: every pod the policy may select)
 * @param podLabel      pod label keys copied onto every series of the task (at most 10)
 * @param ip4Tx         IPv4 bytes and packets sent
 * @param ip4Rx         IPv4 bytes and packets received
 * @param ip4TxInternet IPv4 bytes and packets sent to the internet (outside internalNetworks)
 * @param healthCheck   checks from the node to each selected pod
 * @param monitor       traffic items, each aggregated per pod or per flow
 * @param flowKey       {@code service} (default: a client's ephemeral port is folded away) or {@code 5tuple}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record MonitorPolicySpec(LabelSelector selector, List<String> podLabel, Toggle ip4Tx, Toggle ip4Rx,
                                Toggle ip4TxInternet, HealthCheck healthCheck, Monitor monitor, String flowKey) {

    /** {@code {enable: true}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Toggle(Boolean enable) {
        boolean on() {
            return Boolean.TRUE.equals(enable);
        }
    }

    /**
     * @param command          {@code ping} (default), {@code arping} or {@code curl}
     * @param ipFamilies       {@code IPv4} (default) and/or {@code IPv6}; dolphin writes {@code [""]} for the default
     * @param failureThreshold failures in a row before the pod counts as down (default 1)
     * @param periodSeconds    seconds between checks (default 60)
     * @param port             curl's port (required for curl)
     * @param path             curl's path (default /)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record HealthCheck(Boolean enable, Integer failureThreshold, Integer periodSeconds, String command,
                              List<String> ipFamilies, Integer port, String path) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Monitor(Ip ip, Tcp tcp, Udp udp) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Ip(Item ipReceive, Item ipSend) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Tcp(Item tcpReceive, Item tcpSend, Item tcpRetrans, Item tcpRtt, Item tcpNewConnection, Item tcpDrop,
                      Item tcpConnectionFailure) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Udp(Item udpReceive, Item udpSend) {
    }

    /** One monitoring item: {@code {aggregateType: pod | flow}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Item(String aggregateType) {
    }
}
