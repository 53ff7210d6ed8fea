package dev.podnet.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodMatcherTest {
    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    static PodRecord pod(String name, boolean hostNetwork, boolean finished, Instant created, String... ips) {
        return new PodRecord("shop", name, "uid-" + name, "node-a", hostNetwork,
                List.of(ips).stream().map(InetAddress::ofLiteral).toList(), Map.of(), finished, created);
    }

    static AddressIndex index(Object... inodeAndIps) {
        AddressIndex.Builder b = new AddressIndex.Builder();
        for (int i = 0; i < inodeAndIps.length; i += 2) {
            b.add((Long) inodeAndIps[i], List.of(((String) inodeAndIps[i + 1]).split(",")).stream()
                    .map(InetAddress::ofLiteral).toList());
        }
        return b.build();
    }

    @Test
    void matchesByIpv4AndByIpv6() {
        var pods = List.of(pod("web", false, false, T0, "10.244.1.7"), pod("db", false, false, T0, "fd00:244::9"));
        var idx = index(101L, "127.0.0.1,10.244.1.7,fe80::1", 102L, "10.244.1.99,fd00:244::9");
        assertEquals(Map.of("uid-web", 101L, "uid-db", 102L), PodMatcher.match(pods, idx));
    }

    @Test
    void dualStackPodMatchesThroughItsSecondIpWhenTheFirstIsNotFound() {
        var pods = List.of(pod("web", false, false, T0, "10.244.1.7", "fd00:244::7"));
        assertEquals(Map.of("uid-web", 101L), PodMatcher.match(pods, index(101L, "fd00:244::7")));
    }

    @Test
    void hostNetworkAndFinishedPodsAreNeverMatched() {
        // a hostNetwork pod's IP is the node's; a finished Job pod keeps an IP that a new pod may now own
        var pods = List.of(pod("agent", true, false, T0, "10.244.1.7"), pod("job", false, true, T0, "10.244.1.8"));
        assertEquals(Map.of(), PodMatcher.match(pods, index(101L, "10.244.1.7", 102L, "10.244.1.8")));
    }

    @Test
    void reusedIpGoesToTheNewerOfTwoRunningPods() {
        var pods = List.of(pod("old", false, false, T0, "10.244.1.7"),
                pod("new", false, false, T0.plusSeconds(60), "10.244.1.7"));
        assertEquals(Map.of("uid-new", 101L), PodMatcher.match(pods, index(101L, "10.244.1.7")));
        assertEquals(Map.of("uid-new", 101L), PodMatcher.match(pods.reversed(), index(101L, "10.244.1.7")));
    }

    @Test
    void addressHeldByTwoNamespacesMatchesNeither() {
        var idx = index(101L, "10.244.1.7", 102L, "10.244.1.7", 103L, "10.244.1.7");
        assertTrue(idx.ambiguous(InetAddress.ofLiteral("10.244.1.7")));
        assertEquals(Map.of(), PodMatcher.match(List.of(pod("web", false, false, T0, "10.244.1.7")), idx));
    }

    @Test
    void loopbackAndLinkLocalAreNotIndexed() {
        var idx = index(101L, "127.0.0.1,::1,fe80::1,169.254.1.1,10.0.0.1");
        assertEquals(1, idx.size());
        assertEquals(-1, idx.owner(InetAddress.ofLiteral("127.0.0.1")));
    }

    @Test
    void podWithoutIpYetIsUnmatched() {
        assertEquals(Map.of(), PodMatcher.match(List.of(pod("pending", false, false, T0)), index(101L, "10.0.0.1")));
    }
}
