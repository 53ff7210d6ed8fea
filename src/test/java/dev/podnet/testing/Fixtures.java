package dev.podnet.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Procfs fixtures under {@code src/test/resources/fixtures/<kernel>/}: real files of this machine's kernel
 * ({@code 6.18}) and files in the formats of older kernels (see the README there).
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** The text of a fixture, e.g. {@code "4.19/net/snmp"}. */
    public static String text(String relative) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + relative)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + relative);
            }
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a fixture to {@code target} (creating parent directories). */
    public static void copy(String relative, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Files.writeString(target, text(relative), StandardCharsets.ISO_8859_1);
    }
}
