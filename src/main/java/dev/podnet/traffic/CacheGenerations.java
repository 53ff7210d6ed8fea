package dev.podnet.traffic;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfMap;
import java.nio.ByteBuffer;

/**
 * traffic.bpf.c's {@code struct generations}: the programs keep, per CPU, the last namespace slot and the
 * last internal-or-not answer they looked up, and trust them only while their generation is current.
 * Bumping a generation after a change (a namespace let go, the internal networks changed) makes every
 * CPU look up again.
 */
final class CacheGenerations {
    private static final byte[] KEY = new byte[4];

    private final BpfMap map;
    private int slots;
    private int internal;

    CacheGenerations(BpfMap map) {
        this.map = map;
    }

    synchronized void slotsChanged() throws BpfException {
        slots++;
        write();
    }

    synchronized void internalNetworksChanged() throws BpfException {
        internal++;
        write();
    }

    private void write() throws BpfException {
        map.update(KEY, ByteBuffer.allocate(8).order(BpfMap.order()).putInt(slots).putInt(internal).array());
    }
}
