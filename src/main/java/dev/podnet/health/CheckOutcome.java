package dev.podnet.health;

/**
 * How one check ended. {@code answerSeconds} is the time from sending the check to the answer that made
 * it healthy (NaN for a failure). A failure is either the pod not answering in time ({@code localError}
 * false: what health checks are for) or a problem on the node's side (no permission for a raw socket, no
 * route, an input that cannot be checked), which is worth a log line.
 */
record CheckOutcome(boolean success, double answerSeconds, String reason, boolean localError) {

    static CheckOutcome healthy(long startNanos) {
        return new CheckOutcome(true, (System.nanoTime() - startNanos) / 1e9, null, false);
    }

    static CheckOutcome noAnswer(String reason) {
        return new CheckOutcome(false, Double.NaN, reason, false);
    }

    static CheckOutcome error(String reason) {
        return new CheckOutcome(false, Double.NaN, reason, true);
    }
}
