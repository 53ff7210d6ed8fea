package dev.podnet.testing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What tests read from {@code ss -tin}: the peer tool for TCP round-trip times. */
public final class SsOutput {
    private static final Pattern RTT = Pattern.compile("\\brtt:([0-9.]+)/");
    private static final Pattern ACKED = Pattern.compile("\\bbytes_acked:(\\d+)");

    private SsOutput() {
    }

    /** The RTT in ms of the connection that moved the most bytes (iperf3's data stream, not its control one). */
    public static double busiestConnectionRttMillis(String ssOutput) {
        double rtt = -1;
        long most = -1;
        for (String line : ssOutput.split("\n")) {
            Matcher r = RTT.matcher(line);
            Matcher a = ACKED.matcher(line);
            if (r.find()) {
                long acked = a.find() ? Long.parseLong(a.group(1)) : 0;
                if (acked > most) {
                    most = acked;
                    rtt = Double.parseDouble(r.group(1));
                }
            }
        }
        if (rtt < 0) {
            throw new AssertionError("no connection in ss output:\n" + ssOutput);
        }
        return rtt;
    }
}
