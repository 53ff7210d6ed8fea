package dev.podnet.procfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ProcTextTest {

    @Test
    void fieldsOfANetDevLine() {
        assertArrayEquals(new String[] {"1024", "8", "0", "0"}, ProcText.fields("    1024       8    0 0\n"));
        assertArrayEquals(new String[] {"a", "b"}, ProcText.fields("\ta \t\f\u000Bb\r"));
    }

    @Test
    void blankLineIsOneEmptyFieldAsWithSplit() {
        assertArrayEquals(new String[] {""}, ProcText.fields(""));
        assertArrayEquals(new String[] {""}, ProcText.fields(" \t "));
    }

    /** fields() replaced {@code strip().split("\\s+")} for speed; it must split every line the same way. */
    @Test
    void splitsExactlyLikeTheRegexItReplaced() {
        char[] alphabet = {'a', '7', ':', ' ', ' ', '\t', '\n', '\r', '\f', '\u000B', '\u001C', '\u00A0', '\u2003'};
        Random random = new Random(42);
        for (int round = 0; round < 20_000; round++) {
            StringBuilder line = new StringBuilder();
            int length = random.nextInt(12);
            for (int i = 0; i < length; i++) {
                line.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String text = line.toString();
            assertArrayEquals(text.strip().split("\\s+"), ProcText.fields(text), () -> "line \"" + text + "\"");
        }
    }
}
