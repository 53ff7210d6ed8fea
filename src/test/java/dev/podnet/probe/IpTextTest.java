package dev.podnet.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Addresses written as ss and ip write them (RFC 5952), IPv4-mapped ones as IPv4. */
class IpTextTest {

    @Test
    void writesAddressesAsTheToolsDo() throws Exception {
        for (String address : new String[] {"fd00:10::1", "::1", "::", "fe80::1:0:0:2", "2001:db8:0:1:1:1:1:1", "1::",
                "2001:db8::1:0:0:1", "ff02::1:ff00:1"}) {
            assertEquals(address, format(InetAddress.getByName(address).getAddress()), address);
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(new byte[] {10, (byte) 233, 8, (byte) 201}, 0, mapped, 12, 4);
        assertEquals("10.233.8.201", format(mapped));
    }

    private static String format(byte[] address) {
        ByteBuffer b = ByteBuffer.wrap(address);
        return IpText.format(b.getLong(), b.getLong());
    }
}
