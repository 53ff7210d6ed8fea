package dev.podnet.cli;

/**
 * The Server-Sent Events wire format, line by line, as the HTML spec's event stream interpretation reads
 * it: {@code data} lines accumulate, {@code id} sets the last event id when the message is dispatched by a
 * blank line (also a message without data, which is how a stream names a resume point), comments and
 * unknown fields are ignored.
 */
final class SseParser {
    /** A dispatched message: the last event id at that point ("" when none) and its data. */
    record Message(String id, String data) {
    }

    private final StringBuilder data = new StringBuilder();
    private String idBuffer;
    private String lastEventId;

    /** @param lastEventId the id a reconnection resumes after: it stays the last id until the stream names another */
    SseParser(String lastEventId) {
        this.idBuffer = lastEventId;
        this.lastEventId = lastEventId;
    }

    SseParser() {
        this("");
    }

    /** Feeds one line (without its line end); returns the message it completes, or null. */
    Message line(String line) {
        if (line.isEmpty()) {
            return dispatch();
        }
        if (line.charAt(0) == ':') {
            return null;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "data" -> data.append(value).append('\n');
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    idBuffer = value;
                }
            }
            default -> {
                // event, retry and unknown fields: podnet's streams send none that matter here
            }
        }
        return null;
    }

    /** The id a reconnect sends as Last-Event-ID; "" when the stream named none. */
    String lastEventId() {
        return lastEventId;
    }

    private Message dispatch() {
        lastEventId = idBuffer;
        if (data.isEmpty()) {
            return null;
        }
        String text = data.substring(0, data.length() - 1);
        data.setLength(0);
        return new Message(lastEventId, text);
    }
}
