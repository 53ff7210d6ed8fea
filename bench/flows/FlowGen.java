// Many short flows, each with its own 5-tuple, for bench/flows.sh. Run with the JDK's source launcher:
//
//   java FlowGen.java server addrs=10.251.0.1,fd00:251::1 tcp=7001,7002 udp=7101,7102 [acceptors=2]
//   java FlowGen.java client flows=200000 seconds=10 threads=8 server4=10.251.0.1 server6=fd00:251::1
//        clients4=10.251.1.1,... clients6=fd00:251::1:1,... tcp=7001,7002 udp=7101,7102 [portbase=10000]
//
// The server listens on every address and port (TCP: accept, read what the client sent, close; UDP:
// receive and discard, so no ICMP port unreachable comes back) until it is killed. It prints "ready"
// once every socket is bound.
//
// The client makes `flows` flows, a quarter each of TCP over IPv4, TCP over IPv6, UDP over IPv4 and UDP
// over IPv6 (flows is rounded down to a multiple of 4), paced evenly over `seconds` (later if it cannot
// keep up; the elapsed time says so). Flow i of a kind binds client address clients[i % K] and port
// portbase + i / K explicitly, so no two flows share a 5-tuple and none waits for the kernel's ephemeral
// port search; it goes to server port ports[(i / K) % S]. TCP: a real handshake (blocking connect), 16
// bytes, close. UDP: one datagram of 16 bytes from its own socket. It prints one line of counts: what
// was made (a connect that completed, a datagram the kernel took) and what failed, per kind.
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

public class FlowGen {
    static final String[] KINDS = {"tcp4", "tcp6", "udp4", "udp6"};

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: java FlowGen.java server|client key=value...");
            System.exit(2);
        }
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("expected key=value, got " + args[i]);
            }
            opts.put(kv[0], kv[1]);
        }
        switch (args[0]) {
            case "server" -> server(opts);
            case "client" -> client(opts);
            default -> throw new IllegalArgumentException("server or client, not " + args[0]);
        }
    }

    static String need(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("missing " + key + "=");
        }
        return v;
    }

    static List<InetAddress> addresses(String list) throws IOException {
        List<InetAddress> out = new ArrayList<>();
        for (String a : list.split(",")) {
            out.add(InetAddress.getByName(a.trim()));
        }
        return out;
    }

    static int[] ports(String list) {
        String[] parts = list.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Integer.parseInt(parts[i].trim());
        }
        return out;
    }

    static ProtocolFamily family(InetAddress a) {
        return a instanceof java.net.Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    // ---------------------------------------------------------------- server

    static void server(Map<String, String> opts) throws Exception {
        List<InetAddress> addrs = addresses(need(opts, "addrs"));
        int[] tcp = ports(need(opts, "tcp"));
        int[] udp = ports(need(opts, "udp"));
        int acceptors = Integer.parseInt(opts.getOrDefault("acceptors", "2"));
        AtomicLong accepted = new AtomicLong(), datagrams = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (InetAddress a : addrs) {
            for (int port : tcp) {
                ServerSocketChannel listener = ServerSocketChannel.open(family(a));
                listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                listener.bind(new InetSocketAddress(a, port), 65535);
                for (int t = 0; t < acceptors; t++) {
                    threads.add(Thread.ofPlatform().daemon().unstarted(() -> acceptLoop(listener, accepted)));
                }
            }
            for (int port : udp) {
                DatagramChannel socket = DatagramChannel.open(family(a));
                socket.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
                socket.bind(new InetSocketAddress(a, port));
                threads.add(Thread.ofPlatform().daemon().unstarted(() -> receiveLoop(socket, datagrams)));
            }
        }
        threads.forEach(Thread::start);
        System.out.println("ready");
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
                System.out.println("server accepted=" + accepted.get() + " datagrams=" + datagrams.get())));
        Thread.currentThread().join();
    }

    static void acceptLoop(ServerSocketChannel listener, AtomicLong accepted) {
        ByteBuffer buf = ByteBuffer.allocateDirect(256);
        while (true) {
            try (SocketChannel c = listener.accept()) {
                accepted.incrementAndGet();
                buf.clear();
                c.read(buf); // the client's bytes, or its FIN: then the close is a FIN, not a reset
            } catch (IOException e) {
                // a client's reset, or an accept that failed: go on with the next one
            }
        }
    }

    static void receiveLoop(DatagramChannel socket, AtomicLong datagrams) {
        ByteBuffer buf = ByteBuffer.allocateDirect(2048);
        while (true) {
            try {
                buf.clear();
                socket.receive(buf);
                datagrams.incrementAndGet();
            } catch (IOException e) {
                return;
            }
        }
    }

    // ---------------------------------------------------------------- client

    static void client(Map<String, String> opts) throws Exception {
        long flows = Long.parseLong(need(opts, "flows")) / 4 * 4;
        double seconds = Double.parseDouble(opts.getOrDefault("seconds", "10"));
        int threads = Integer.parseInt(opts.getOrDefault("threads", "8"));
        int portBase = Integer.parseInt(opts.getOrDefault("portbase", "10000"));
        InetAddress[] servers = {InetAddress.getByName(need(opts, "server4")), InetAddress.getByName(need(opts, "server6"))};
        List<List<InetAddress>> clients = List.of(addresses(need(opts, "clients4")), addresses(need(opts, "clients6")));
        int[][] serverPorts = {ports(need(opts, "tcp")), ports(need(opts, "udp"))};
        long perKind = flows / 4;
        for (List<InetAddress> c : clients) {
            if (portBase + (perKind + c.size() - 1) / c.size() > 65535) {
                throw new IllegalArgumentException(perKind + " flows per kind need more than " + c.size()
                        + " client addresses per family from port " + portBase);
            }
        }
        AtomicLong next = new AtomicLong();
        AtomicLongArray made = new AtomicLongArray(4), failed = new AtomicLongArray(4);
        Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
        double nanosPerFlow = seconds * 1e9 / flows;
        long start = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                ByteBuffer payload = ByteBuffer.allocateDirect(16);
                long k;
                while ((k = next.getAndIncrement()) < flows) {
                    long due = start + (long) (k * nanosPerFlow);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    int kind = (int) (k % 4);           // tcp4, tcp6, udp4, udp6 in turn
                    long i = k / 4;                     // the flow's number within its kind
                    int fam = kind % 2;
                    List<InetAddress> local = clients.get(fam);
                    int[] sp = serverPorts[kind / 2];
                    InetSocketAddress from = new InetSocketAddress(local.get((int) (i % local.size())),
                            portBase + (int) (i / local.size()));
                    InetSocketAddress to = new InetSocketAddress(servers[fam], sp[(int) ((i / local.size()) % sp.length)]);
                    try {
                        if (kind < 2) {
                            tcp(from, to, payload);
                        } else {
                            udp(from, to, payload);
                        }
                        made.incrementAndGet(kind);
                    } catch (IOException e) {
                        failed.incrementAndGet(kind);
                        errors.computeIfAbsent(KINDS[kind] + ":" + e.getClass().getSimpleName() + ":" + e.getMessage(),
                                x -> new AtomicLong()).incrementAndGet();
                    }
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        StringBuilder line = new StringBuilder();
        for (int kind = 0; kind < 4; kind++) {
            line.append("made_").append(KINDS[kind]).append('=').append(made.get(kind)).append(' ');
        }
        for (int kind = 0; kind < 4; kind++) {
            line.append("failed_").append(KINDS[kind]).append('=').append(failed.get(kind)).append(' ');
        }
        line.append(String.format("elapsed_s=%.2f", elapsed));
        System.out.println(line);
        errors.forEach((what, n) -> System.out.println("error " + n.get() + " x " + what));
    }

    static void tcp(InetSocketAddress from, InetSocketAddress to, ByteBuffer payload) throws IOException {
        try (SocketChannel c = SocketChannel.open(family(to.getAddress()))) {
            c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            c.bind(from);
            c.connect(to);   // blocking: returns once the handshake is done
            payload.clear();
            try {
                c.write(payload);
            } catch (IOException e) {
                // the server may have closed already: the connection was made all the same
            }
        }
    }

    static void udp(InetSocketAddress from, InetSocketAddress to, ByteBuffer payload) throws IOException {
        try (DatagramChannel c = DatagramChannel.open(family(to.getAddress()))) {
            c.bind(from);
            payload.clear();
            if (c.send(payload, to) != 16) {
                throw new IOException("datagram not sent");
            }
        }
    }
}
