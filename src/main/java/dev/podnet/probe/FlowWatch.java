package dev.podnet.probe;

import java.util.List;
import java.util.Set;

/**
 * A request for the flows of one network namespace, from a monitoring task that selected the pod in it:
 * the kernel keeps a flow table for every namespace some watch names, and the traffic probe writes the
 * watch's series from it.
 *
 * @param netns      inode of the namespace
 * @param labels     label name, value pairs leading every series of the watch ({@code task}, {@code namespace},
 *                   {@code pod} and the task's pod labels)
 * @param fiveTuple  every connection its own flow; false: a client's ephemeral port is folded away
 * @param items      what to write per flow
 */
public record FlowWatch(long netns, List<String> labels, boolean fiveTuple, Set<Item> items) {

    public FlowWatch {
        labels = List.copyOf(labels);
        items = Set.copyOf(items);
    }

    /** The per-flow series a watch can ask for. */
    public enum Item {
        IP_RECEIVE, IP_TRANSMIT, TCP_RECEIVE, TCP_TRANSMIT, UDP_RECEIVE, UDP_TRANSMIT, TCP_RETRANSMITS, TCP_RTT, TCP_DROPS
    }
}
