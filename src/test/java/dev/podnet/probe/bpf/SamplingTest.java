package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.config.ConfigException;
import dev.podnet.config.ConfigLoader;
import dev.podnet.config.PodnetConfig;
import dev.podnet.probe.ProbeCatalog;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sampleEvery of netiftx and softirq, as a config file gives it: checked when the config is loaded. */
class SamplingTest {
    private final ProbeCatalog catalog = ProbeCatalog.standard();
    private final ConfigLoader loader = new ConfigLoader(catalog.names(), catalog.defaultNames(), catalog::checkSettings);

    private PodnetConfig load(String sampleEvery) throws ConfigException {
        return loader.parse("probes: [netiftx]\nprobeSettings:\n  netiftx: {sampleEvery: " + sampleEvery + "}\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "x", "\"16\"", "1.5", "1048577", "99999999999999999999", "[4]"})
    void aBadSampleEveryIsRefusedWithTheSettingNamed(String value) {
        ConfigException bad = assertThrows(ConfigException.class, () -> load(value));
        assertTrue(bad.getMessage().startsWith("probeSettings.netiftx.sampleEvery: expected a whole number of packets "
                + "from 1 (every packet) to 1048576, got "), bad.getMessage());
    }

    @Test
    void aGoodSampleEveryIsKeptAndSentToTheKernelAsItsOnlyConstant() throws ConfigException {
        Map<String, Object> settings = load("64").probeSettings().get("netiftx");
        Sampling sampling = Sampling.of("netiftx", settings, NetifTxProbe.DEFAULT_SAMPLE_EVERY, "packet");
        assertEquals(64, sampling.every());
        assertEquals(1.0 / 64, sampling.ratio());
        assertArrayEquals(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(64).array(), sampling.rodata());
        assertEquals(1, Sampling.of("netiftx", load("1").probeSettings().get("netiftx"), 16, "packet").every());
    }

    @Test
    void withoutTheSettingTheDefaultApplies() {
        assertEquals(NetifTxProbe.DEFAULT_SAMPLE_EVERY, Sampling.of("netiftx", Map.of(), NetifTxProbe.DEFAULT_SAMPLE_EVERY, "packet")
                .every());
    }

    @Test
    void anUnknownSettingNamesTheOnesThisProbeKnows() {
        ConfigException bad = assertThrows(ConfigException.class, () -> loader.parse(
                "probes: [netiftx]\nprobeSettings:\n  netiftx: {sampleevery: 4}\n"));
        assertEquals("probeSettings.netiftx.sampleevery: unknown setting; this probe knows [tracepoint, tracepoints, "
                + "eventThreshold, eventsPerSecond, perPodHistograms, sampleEvery, window]", bad.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "x"})
    void softirqRefusesABadSampleEveryToo(String value) {
        ConfigException bad = assertThrows(ConfigException.class, () -> loader.parse(
                "probes: [softirq]\nprobeSettings:\n  softirq: {sampleEvery: " + value + "}\n"));
        assertTrue(bad.getMessage().startsWith("probeSettings.softirq.sampleEvery: expected a whole number of softirqs "
                + "from 1 (every softirq) to 1048576, got "), bad.getMessage());
    }

    @Test
    void otherBpfProbesDoNotTakeIt() {
        ConfigException bad = assertThrows(ConfigException.class, () -> loader.parse(
                "probes: [tcpretrans]\nprobeSettings:\n  tcpretrans: {sampleEvery: 4}\n"));
        assertTrue(bad.getMessage().startsWith("probeSettings.tcpretrans.sampleEvery: unknown setting"), bad.getMessage());
    }
}
