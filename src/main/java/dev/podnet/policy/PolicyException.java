package dev.podnet.policy;

/** A MonitorPolicy the agent refuses; the message names the field and the value. */
public class PolicyException extends Exception {
    public PolicyException(String message) {
        super(message);
    }
}
