package dev.podnet.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HttpCheckTest {
    private static HealthTarget target(String ip, int port, String path) {
        return new HealthTarget("k", new String[0], InetAddress.ofLiteral(ip), CheckKind.CURL, 1, Duration.ofSeconds(1),
                port, path);
    }

    @Test
    void requestLineAndHostHeader() {
        assertEquals("GET /healthz HTTP/1.1\r\nHost: 10.0.0.5:8080\r\nUser-Agent: podnet-health\r\nAccept: */*\r\n"
                + "Connection: close\r\n\r\n", HttpCheck.request(target("10.0.0.5", 8080, "/healthz"), "/healthz"));
        assertEquals("[fd00::5]:80", HttpCheck.hostPort(target("fd00::5", 80, "")));
    }

    @Test
    void pathIsSlashWhenEmptyAndRefusedWithSpacesOrControls() {
        assertEquals("/", HttpCheck.requestPath(""));
        assertEquals("/", HttpCheck.requestPath(null));
        assertEquals("/ready?full=1", HttpCheck.requestPath("ready?full=1"));
        assertNull(HttpCheck.requestPath("/a b"));
        assertNull(HttpCheck.requestPath("/a\r\nX-Injected: 1"));
    }
}
