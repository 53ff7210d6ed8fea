package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfObject;
import java.util.List;

/**
 * A BPF probe's loaded object with its programs attached: for good, or in windows of time when the
 * probe has a {@code window} setting ({@link WindowedHooks}). Closing it detaches and frees everything.
 *
 * @param windows null when the programs stay attached
 */
record AttachedObject(BpfObject object, WindowedHooks windows) implements AutoCloseable {

    /**
     * Opens, loads and attaches {@code objectFile}; on failure nothing stays loaded.
     *
     * @param window     null to stay attached
     * @param resetState clears the programs' state before each window (unused without one)
     */
    static AttachedObject start(String probe, String objectFile, List<TracepointHooks.Hook> hooks,
                                RawTracepointObject.BeforeLoad beforeLoad, AttachWindow window,
                                WindowedHooks.StateReset resetState) throws BpfException {
        if (window == null) {
            return new AttachedObject(RawTracepointObject.openAndAttach(objectFile, hooks, beforeLoad), null);
        }
        BpfObject loaded = RawTracepointObject.openAndLoad(objectFile, hooks, beforeLoad);
        try {
            return new AttachedObject(loaded, WindowedHooks.start(probe, loaded, hooks, window, resetState));
        } catch (BpfException | RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /** Throws (once) a window that could not be attached since the last call. */
    void checkWindows() throws BpfException {
        if (windows != null) {
            windows.rethrowFailure();
        }
    }

    @Override
    public void close() {
        if (windows != null) {
            windows.close();
        }
        object.close();
    }
}
