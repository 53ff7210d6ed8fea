package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.config.ConfigException;
import dev.podnet.config.ConfigLoader;
import dev.podnet.probe.ProbeCatalog;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The window setting of netiftx and softirq, as a config file gives it: checked when the config is loaded. */
class AttachWindowTest {
    private final ProbeCatalog catalog = ProbeCatalog.standard();
    private final ConfigLoader loader = new ConfigLoader(catalog.names(), catalog.defaultNames(), catalog::checkSettings);

    private Map<String, Object> load(String probe, String window) throws ConfigException {
        return loader.parse("probes: [" + probe + "]\nprobeSettings:\n  " + probe + ": {window: " + window + "}\n")
                .probeSettings().get(probe);
    }

    @Test
    void aWindowIsAttachedForItsLengthAtTheStartOfEveryPeriod() throws ConfigException {
        AttachWindow window = AttachWindow.of("softirq", load("softirq", "{length: 2s, every: 10s}"), null);
        assertEquals(Duration.ofSeconds(2), window.length());
        assertEquals(Duration.ofSeconds(10), window.every());
        assertEquals(0.2, window.fraction(), 1e-12);
        assertEquals(0.25, AttachWindow.of("netiftx", load("netiftx", "{length: 500ms, every: 2s}"), null).fraction(), 1e-12);
    }

    @Test
    void withoutTheSettingTheProbesDefaultApplies() {
        assertEquals(AttachWindow.PER_PACKET_DEFAULT, AttachWindow.of("netiftx", Map.of(), AttachWindow.PER_PACKET_DEFAULT));
        assertEquals(0.125, AttachWindow.PER_PACKET_DEFAULT.fraction(), 1e-12, "an eighth of the time by default");
        assertEquals(null, AttachWindow.of("tcpretrans", Map.of(), null));
    }

    @Test
    void noneKeepsTheProgramsAttached() throws ConfigException {
        assertEquals(null, AttachWindow.of("softirq", load("softirq", "none"), AttachWindow.PER_PACKET_DEFAULT));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "netiftx|{length: 10s, every: 10s}|probeSettings.netiftx.window: length (10s) must be above 0 and below every (10s)",
            "softirq|{length: 0s, every: 10s}|probeSettings.softirq.window: length (0s) must be above 0",
            "softirq|{length: 2s}|probeSettings.softirq.window: expected {length: <duration>, every: <duration>}",
            "softirq|{length: 2s, every: 10s, phase: 1s}|probeSettings.softirq.window: expected {length",
            "softirq|2s|probeSettings.softirq.window: expected {length",
            "softirq|off|probeSettings.softirq.window: expected {length: <duration>, every: <duration>}, e.g. {length: 2s, every: 10s}, or none",
            "netiftx|{length: 2 s, every: 10s}|probeSettings.netiftx.window.length: \"2 s\" is not a duration",
            "netiftx|{length: 2s, every: often}|probeSettings.netiftx.window.every: \"often\" is not a duration"})
    void aBadWindowIsRefusedWithTheSettingNamed(String probe, String window, String message) {
        ConfigException bad = assertThrows(ConfigException.class, () -> load(probe, window));
        assertTrue(bad.getMessage().startsWith(message), bad.getMessage());
    }

    @Test
    void probesThatRunPerEventOnlyOfferIt() {
        ConfigException bad = assertThrows(ConfigException.class, () -> load("packetloss", "{length: 2s, every: 10s}"));
        assertTrue(bad.getMessage().startsWith("probeSettings.packetloss.window: unknown setting"), bad.getMessage());
    }
}
