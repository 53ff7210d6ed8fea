package dev.podnet.bpf;

/** A program attached to a hook; closing detaches it. Closing twice is harmless; close never throws. */
public interface BpfAttachment extends AutoCloseable {
    /** Where the program is attached, for messages: "raw tracepoint kfree_skb". */
    String target();

    @Override
    void close();
}
