package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelSymbolsTest {
    @TempDir
    Path dir;

    private Path kallsyms(String text) throws Exception {
        return Files.writeString(dir.resolve("kallsyms"), text);
    }

    @Test
    void namesTheFunctionAnAddressFallsInWithTheOffset() throws Exception {
        KernelSymbols symbols = new KernelSymbols(kallsyms("""
                ffffffff81000000 T _stext
                ffffffff81f799d0 T nf_hook_slow
                ffffffff81f79b00 t nf_hook_slow_list
                ffffffff82000000 D some_data
                ffffffff82100000 r some_rodata
                ffffffffc0a00000 t nft_do_chain\t[nf_tables]
                """));
        assertEquals("nf_hook_slow+0x8c", symbols.name(0xffffffff81f79a5cL));
        assertEquals("nf_hook_slow+0x0", symbols.name(0xffffffff81f799d0L));
        assertEquals("nf_hook_slow_list+0x4", symbols.name(0xffffffff81f79b04L));
        assertEquals("nft_do_chain+0x46f", symbols.name(0xffffffffc0a0046fL), "module symbols, without their module");
        assertEquals(4, symbols.size(), "text symbols only");
    }

    @Test
    void unknownBelowTheFirstSymbolFarPastTheLastOrAtZero() throws Exception {
        KernelSymbols symbols = new KernelSymbols(kallsyms("ffffffff81000000 T _stext\n"));
        assertEquals(KernelSymbols.UNKNOWN, symbols.name(0x1000));
        assertEquals(KernelSymbols.UNKNOWN, symbols.name(0xffffffff81000000L + KernelSymbols.MAX_OFFSET));
        assertEquals(KernelSymbols.UNKNOWN, symbols.name(0));
    }

    /** kernel.kptr_restrict shows every address as 0: nothing can be named. */
    @Test
    void hiddenAddressesNameNothing() throws Exception {
        KernelSymbols symbols = new KernelSymbols(kallsyms("""
                0000000000000000 T _stext
                0000000000000000 T nf_hook_slow
                """));
        assertEquals(KernelSymbols.UNKNOWN, symbols.name(0xffffffff81f79a5cL));
        assertEquals(0, symbols.size());
    }

    @Test
    void anUnreadableFileNamesNothing() {
        assertEquals(KernelSymbols.UNKNOWN, new KernelSymbols(dir.resolve("missing")).name(0xffffffff81f79a5cL));
    }

    @Test
    void unsortedInputIsSorted() throws Exception {
        KernelSymbols symbols = new KernelSymbols(kallsyms("""
                ffffffff81000200 t b
                ffffffff81000100 t a
                ffffffff81000300 t c
                """));
        assertEquals("a+0x10", symbols.name(0xffffffff81000110L));
        assertEquals("b+0x10", symbols.name(0xffffffff81000210L));
        assertEquals("c+0x0", symbols.name(0xffffffff81000300L));
    }

    /** A module loaded after the table was read: a miss rereads it, at most once a minute. */
    @Test
    void aMissRereadsTheTableAfterAMinute() throws Exception {
        Path file = kallsyms("ffffffff81000000 T _stext\n");
        AtomicLong now = new AtomicLong();
        KernelSymbols symbols = new KernelSymbols(file, now::get);
        assertEquals("_stext+0x1", symbols.name(0xffffffff81000001L));
        Files.writeString(file, "ffffffff81000000 T _stext\nffffffffc0000000 t loaded\t[mod]\n");
        assertEquals(KernelSymbols.UNKNOWN, symbols.name(0xffffffffc0000010L), "read less than a minute ago");
        now.set(61_000_000_000L);
        assertEquals("loaded+0x10", symbols.name(0xffffffffc0000010L));
    }
}
