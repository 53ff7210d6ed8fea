package dev.podnet.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network, {@code 10.0.0.0/8} or {@code fc00::/7}. Host bits given after the prefix
 * are cleared, so {@code 10.1.2.3/8} is {@code 10.0.0.0/8}.
 *
 * @param address 4 or 16 bytes, host bits zero
 * @param prefix  prefix length, 0..32 or 0..128
 */
public record Cidr(byte[] address, int prefix) {
    /** Only address literals reach InetAddress, which would otherwise look names up in DNS. */
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

    /** Networks whose addresses are not the internet: private, shared (CGNAT), loopback and link-local. */
    public static final List<Cidr> DEFAULT_INTERNAL = List.of(
            parseUnchecked("10.0.0.0/8"), parseUnchecked("172.16.0.0/12"), parseUnchecked("192.168.0.0/16"),
            parseUnchecked("100.64.0.0/10"), parseUnchecked("127.0.0.0/8"), parseUnchecked("169.254.0.0/16"),
            parseUnchecked("fc00::/7"), parseUnchecked("fe80::/10"), parseUnchecked("::1/128"));

    public Cidr {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + address.length);
        }
        if (prefix < 0 || prefix > address.length * 8) {
            throw new IllegalArgumentException("prefix /" + prefix + " out of range");
        }
        address = masked(address, prefix);
    }

    public static Cidr parse(String text) throws ConfigException {
        String trimmed = text.strip();
        int slash = trimmed.indexOf('/');
        String host = slash < 0 ? trimmed : trimmed.substring(0, slash);
        if (!LITERAL.matcher(host).matches()) {
            throw new ConfigException("\"" + text + "\" is not a network (like 10.0.0.0/8 or fc00::/7)");
        }
        byte[] address;
        try {
            address = InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            throw new ConfigException("\"" + text + "\" is not a network (like 10.0.0.0/8 or fc00::/7)");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(trimmed.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new ConfigException("\"" + text + "\": the prefix length must be 0 to " + bits);
            }
        }
        return new Cidr(address, prefix);
    }

    /** A list of networks under a config field; absent: {@code fallback}. */
    static List<Cidr> parseList(JsonNode node, String field, List<Cidr> fallback) throws ConfigException {
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isArray()) {
            throw new ConfigException(field + ": expected a list of networks (like [10.0.0.0/8, fc00::/7])");
        }
        List<Cidr> result = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                throw new ConfigException(field + "[" + i + "]: expected a network like 10.0.0.0/8, got " + item);
            }
            try {
                result.add(parse(item.asText()));
            } catch (ConfigException e) {
                throw new ConfigException(field + "[" + i + "]: " + e.getMessage());
            }
        }
        return List.copyOf(result);
    }

    private static Cidr parseUnchecked(String text) {
        try {
            return parse(text);
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] masked(byte[] address, int prefix) {
        byte[] result = address.clone();
        for (int i = 0; i < result.length; i++) {
            int keep = Math.clamp(prefix - i * 8L, 0, 8);
            result[i] &= (byte) (0xff00 >> keep);
        }
        return result;
    }

    public boolean ipv4() {
        return address.length == 4;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && prefix == other.prefix && Arrays.equals(address, other.address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + prefix;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(address).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            return HexFormat.of().formatHex(address) + "/" + prefix;
        }
    }
}
