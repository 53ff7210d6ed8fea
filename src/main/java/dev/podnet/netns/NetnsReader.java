package dev.podnet.netns;

import java.io.IOException;

/** Reads the procfs files of one network namespace, e.g. {@code net/dev}, {@code net/snmp}. */
public interface NetnsReader {

    /**
     * The bytes of {@code /proc/<pid>/<relative>} as seen from inside the namespace, or null when the
     * file does not exist there (a module not loaded, IPv6 disabled).
     *
     * @throws NetnsVanishedException when the namespace is gone
     */
    byte[] read(String relative) throws IOException;
}
