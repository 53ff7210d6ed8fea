package dev.podnet.netlink;

import java.io.IOException;

/** A netlink message that does not have the shape its type promises (cut short, bad lengths, wrong type). */
public final class MalformedNetlinkException extends IOException {
    public MalformedNetlinkException(String message) {
        super(message);
    }
}
