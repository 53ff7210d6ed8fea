package dev.podnet.policy;

import dev.podnet.probe.FlowWatch;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the tasks with per-flow items ask of the traffic probe: one {@link FlowWatch} per task and
 * selected pod, labelled as the task's pod series are.
 */
public final class FlowWatches {
    private static final Map<Measure, FlowWatch.Item> ITEMS = Map.of(
            Measure.IP_RECEIVE, FlowWatch.Item.IP_RECEIVE, Measure.IP_SEND, FlowWatch.Item.IP_TRANSMIT,
            Measure.TCP_RECEIVE, FlowWatch.Item.TCP_RECEIVE, Measure.TCP_SEND, FlowWatch.Item.TCP_TRANSMIT,
            Measure.UDP_RECEIVE, FlowWatch.Item.UDP_RECEIVE, Measure.UDP_SEND, FlowWatch.Item.UDP_TRANSMIT,
            Measure.TCP_RETRANS, FlowWatch.Item.TCP_RETRANSMITS, Measure.TCP_RTT, FlowWatch.Item.TCP_RTT,
            Measure.TCP_DROP, FlowWatch.Item.TCP_DROPS);

    private FlowWatches() {
    }

    public static List<FlowWatch> of(List<Task> tasks, List<TaskMetrics.NodePod> pods, String agentNamespace) {
        List<FlowWatch> watches = new ArrayList<>();
        for (var selected : TaskMetrics.select(tasks, pods, agentNamespace).entrySet()) {
            Task task = selected.getKey();
            Set<FlowWatch.Item> items = items(task);
            if (items.isEmpty()) {
                continue;
            }
            for (TaskMetrics.NodePod pod : selected.getValue()) {
                watches.add(new FlowWatch(pod.netns(), List.of(TaskMetrics.baseLabels(task, pod)),
                        task.flowKey() == Task.FlowKey.FIVE_TUPLE, items));
            }
        }
        return watches;
    }

    static Set<FlowWatch.Item> items(Task task) {
        Set<FlowWatch.Item> items = EnumSet.noneOf(FlowWatch.Item.class);
        task.measures().forEach((measure, aggregation) -> {
            if (aggregation == Measure.Aggregation.FLOW && ITEMS.containsKey(measure)) {
                items.add(ITEMS.get(measure));
            }
        });
        return items;
    }
}
