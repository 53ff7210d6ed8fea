package dev.podnet.netlink;

import dev.podnet.netns.Libc;
import java.io.IOException;

/** The kernel refused a netlink request or aborted a dump (NLMSG_ERROR, or an error in NLMSG_DONE). */
public final class NetlinkException extends IOException {
    private final int errno;

    public NetlinkException(String request, String how, int errno) {
        super(request + ": kernel answered " + how + ": " + Libc.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
