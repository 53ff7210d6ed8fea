package dev.podnet.cli;

/** podnet's version, from the jar manifest (a build from the IDE or tests says "dev"). */
final class Version {
    private Version() {
    }

    static String get() {
        String version = Version.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }
}
