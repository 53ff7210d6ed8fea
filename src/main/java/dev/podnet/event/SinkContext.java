package dev.podnet.event;

/**
 * What sinks may need from the agent.
 *
 * @param node the node's name (stream labels, reportingInstance)
 */
public record SinkContext(String node) {
}
