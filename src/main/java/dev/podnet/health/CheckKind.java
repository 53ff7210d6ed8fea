package dev.podnet.health;

/** How a target is checked from the node. */
public enum CheckKind {
    /** ICMP echo request (IPv4 or IPv6) over a raw socket; healthy when the matching echo reply arrives. */
    PING,
    /** ARP request (IPv4 only) on the node's side of the pod's link; healthy when the pod IP answers. */
    ARPING,
    /** HTTP GET to a port and path; healthy once the TCP connection is made, whatever the status code. */
    CURL
}
