package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.podnet.config.ConfigException;
import dev.podnet.config.ConfigLoader;
import dev.podnet.probe.ProbeCatalog;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.net.ConnectException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A BPF probe that cannot start is reported, and only it stops. */
@Timeout(120)
class BpfProbeDegradationIT {
    @BeforeAll
    static void kernel() {
        BpfProbeLab.assumeBpf();
    }

    @Test
    void probeOnAMissingTracepointIsUnavailableWhileTheOthersReport() throws Exception {
        String config = """
                probes: [tcpretrans, tcpreset, tcpconn, packetloss]
                probeSettings:
                  tcpretrans: {tracepoint: "tcp/nonexistent"}
                  tcpconn: {tracepoints: {"sock/inet_sock_set_state": "sock/inet_sock_set_state"}}
                """;
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start(config)) {
            JsonNode retrans = probe(agent, "tcpretrans");
            assertEquals("unavailable", retrans.get("state").asText().toLowerCase());
            String reason = retrans.get("reason").asText();
            assertTrue(reason.contains("raw tracepoint nonexistent") && reason.contains("No such file or directory"),
                    "the reason names the tracepoint and the kernel's answer: " + reason);
            for (String running : new String[] {"tcpreset", "tcpconn", "packetloss"}) {
                assertEquals("running", probe(agent, running).get("state").asText().toLowerCase(), running);
            }

            String[] ns = BpfProbeLab.pair(lab, 5);
            assertThrows(ConnectException.class, () -> BpfProbeLab.connect(lab, ns[0], "10.212.5.2", 5998));
            String client = BpfProbeLab.netns(lab, ns[0]);
            Scrape scrape = BpfProbeLab.awaitScrape(agent,
                    s -> s.sum("podnet_tcp_connect_failures_total", "netns", client) >= 1, "the others' samples");
            assertEquals(0, scrape.value("podnet_probe_up", "probe", "tcpretrans"));
            assertEquals(1, scrape.value("podnet_probe_up", "probe", "tcpreset"));
            assertEquals(1, scrape.value("podnet_probe_up", "probe", "tcpconn"));
            assertEquals(1, scrape.value("podnet_probe_up", "probe", "packetloss"));
            assertEquals(1, scrape.value("podnet_tcp_resets_total", "netns", client, "direction", "received", "state", "SYN_SENT"));
            assertTrue(scrape.find("podnet_tcp_retransmits_total").isEmpty());
            assertTrue(scrape.find("podnet_bpf_map_entries", "probe", "tcpretrans").isEmpty());
        }
    }

    /** Settings are checked when the config is loaded: a bad one never reaches a running agent. */
    @Test
    void aBadSettingIsRefusedWithTheSettingNamed() {
        ProbeCatalog catalog = ProbeCatalog.standard();
        ConfigLoader loader = new ConfigLoader(catalog.names(), catalog.defaultNames(), catalog::checkSettings);
        ConfigException reset = assertThrows(ConfigException.class, () -> loader.parse("""
                probes: [tcpreset]
                probeSettings:
                  tcpreset: {tracepoint: "tcp/tcp_send_reset"}
                """));
        assertTrue(reset.getMessage().contains("probeSettings.tcpreset.tracepoint: this probe attaches to 2 tracepoints"),
                reset.getMessage());
        ConfigException conn = assertThrows(ConfigException.class, () -> loader.parse("""
                probes: [tcpconn]
                probeSettings:
                  tcpconn: {maxEntries: 5}
                """));
        assertTrue(conn.getMessage().contains("probeSettings.tcpconn.maxEntries: unknown setting"), conn.getMessage());
    }

    private static JsonNode probe(TestAgent agent, String name) throws Exception {
        JsonNode status = new ObjectMapper().readTree(agent.get("/status"));
        for (JsonNode probe : status.get("probes")) {
            if (probe.get("name").asText().equals(name)) {
                return probe;
            }
        }
        throw new AssertionError("no probe " + name + " in /status: " + status);
    }
}
