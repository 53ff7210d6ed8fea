package dev.podnet.traffic;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * The user-space end of a tun device (a layer-3 device: packets start at the IP header): what is
 * written here, the device receives; what the kernel sends through the device can be read here.
 * Opened inside the device's namespace; usable from any thread afterwards.
 */
final class TunDevice implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = libc("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT));
    private static final MethodHandle IOCTL = libc("ioctl", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    private static final MethodHandle WRITE = libc("write", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle CLOSE = libc("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TUN = 0x0001;
    private static final short IFF_NO_PI = 0x1000;
    private static final int O_RDWR = 2;

    private final int fd;

    private TunDevice(int fd) {
        this.fd = fd;
    }

    private static MethodHandle libc(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor);
    }

    /** Attaches to the existing tun device {@code name} of the calling thread's namespace. */
    static TunDevice open(String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom("/dev/net/tun"), O_RDWR);
            if (fd < 0) {
                throw new IOException("open /dev/net/tun failed");
            }
            MemorySegment ifreq = arena.allocate(40);
            byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(bytes, 0, ifreq, ValueLayout.JAVA_BYTE, 0, bytes.length);
            ifreq.set(ValueLayout.JAVA_SHORT, 16, (short) (IFF_TUN | IFF_NO_PI));
            if ((int) IOCTL.invokeExact(fd, TUNSETIFF, ifreq) < 0) {
                int ignored = (int) CLOSE.invokeExact(fd);
                throw new IOException("TUNSETIFF " + name + " failed");
            }
            return new TunDevice(fd);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** Hands the device one packet to receive. */
    void inject(byte[] ipPacket) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            long written = (long) WRITE.invokeExact(fd, arena.allocateFrom(ValueLayout.JAVA_BYTE, ipPacket), (long) ipPacket.length);
            if (written != ipPacket.length) {
                throw new IOException("write to tun returned " + written);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** An IPv4 UDP datagram with a correct header checksum (the UDP checksum is left 0: none). */
    static byte[] udp(byte[] from, byte[] to, int payload) {
        int total = 20 + 8 + payload;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(total);
        b.put((byte) 0x45).put((byte) 0).putShort((short) total).putShort((short) 0).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 17).putShort((short) 0).put(from).put(to);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((b.get(i) & 0xff) << 8) | (b.get(i + 1) & 0xff);
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        b.putShort(10, (short) ~sum);
        b.position(20);
        b.putShort((short) 40000).putShort((short) 9).putShort((short) (8 + payload)).putShort((short) 0);
        return b.array();
    }

    @Override
    public void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            // nothing to do: the descriptor is gone either way
        }
    }
}
