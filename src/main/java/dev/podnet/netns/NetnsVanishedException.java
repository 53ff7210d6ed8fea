package dev.podnet.netns;

import java.io.IOException;

/**
 * The namespace disappeared between discovery and reading (its last process exited, its mount was
 * removed). Expected during normal operation: counted in {@code podnet_netns_vanished_total}, never an
 * error for the scrape.
 */
public class NetnsVanishedException extends IOException {
    public NetnsVanishedException(long inode, String detail) {
        super("network namespace " + inode + " vanished: " + detail);
    }
}
