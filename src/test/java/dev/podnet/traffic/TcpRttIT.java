package dev.podnet.traffic;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.SsOutput;
import dev.podnet.testing.TestAgent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pod's TCP RTT histogram follows the kernel's smoothed RTT: a token-bucket qdisc on the sender's
 * device makes tens of milliseconds of queueing, and the histogram's mean over the transfer is within
 * a factor of two of the mean of the RTTs that ss -ti shows for the connection meanwhile.
 */
class TcpRttIT {

    @Test
    void histogramMeanIsTheRttSsShows() throws Exception {
        TrafficLab.assumeTrafficLab();
        try (NetnsLab lab = new NetnsLab();
             TestAgent agent = TestAgent.start("probes: [traffic]\nprobeSettings: {traffic: {perPodHistograms: true}}\n")) {
            String sender = TrafficLab.quietNamespace(lab, "snd");
            String receiver = TrafficLab.quietNamespace(lab, "rcv");
            lab.veth(sender, "10.222.0.1/24", receiver, "10.222.0.2/24");
            String[] veth = lab.lastVeth();
            lab.exec(sender, "tc", "qdisc", "add", "dev", veth[0], "root", "tbf", "rate", "4mbit", "burst", "10kb",
                    "latency", "100ms");
            String netns = TrafficLab.netns(lab, sender);
            TrafficLab.awaitAttached(agent, 2);

            lab.spawn(receiver, "iperf3", "-s", "-1", "-p", "5501");
            Thread.sleep(300);
            lab.spawn(sender, "iperf3", "-c", "10.222.0.2", "-p", "5501", "-t", "6");
            Thread.sleep(2000); // past slow start: the queue is full
            Scrape before = agent.scrape();
            List<Double> ss = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Thread.sleep(600);
                ss.add(SsOutput.busiestConnectionRttMillis(lab.exec(sender, "ss", "-tin", "dst", "10.222.0.2")));
            }
            Scrape after = agent.scrape();
            double count = after.value("podnet_tcp_rtt_seconds_count", "netns", netns)
                    - before.value("podnet_tcp_rtt_seconds_count", "netns", netns);
            double sum = after.value("podnet_tcp_rtt_seconds_sum", "netns", netns)
                    - before.value("podnet_tcp_rtt_seconds_sum", "netns", netns);
            assertTrue(count > 100, "observations while sending: " + count);
            // the histogram's mean is over the whole interval: compare it with ss's samples over it, averaged
            double ssMillis = ss.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double meanMillis = sum / count * 1000;
            System.out.printf("tcp rtt: histogram mean %.1f ms over %d observations, ss -ti %s ms%n", meanMillis, (long) count, ss);
            assertTrue(ssMillis > 10, "the token bucket queues tens of milliseconds: ss says " + ss);
            assertTrue(meanMillis > ssMillis / 2 && meanMillis < ssMillis * 2,
                    "histogram mean " + meanMillis + " ms against ss " + ss + " ms");
        }
    }
}
