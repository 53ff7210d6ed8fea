package dev.podnet.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/**
 * The number of possible CPUs, which sizes per-CPU map values. It can exceed the online CPUs (hotplug
 * slots), which is why it comes from libbpf (/sys/devices/system/cpu/possible), not from the JVM.
 */
public final class PossibleCpus {
    private static final MethodHandle NUM_POSSIBLE_CPUS = Libbpf.function("libbpf_num_possible_cpus",
            FunctionDescriptor.of(Libbpf.INT));
    private static volatile int count;

    private PossibleCpus() {
    }

    public static int count() throws BpfException {
        int known = count;
        if (known > 0) {
            return known;
        }
        Libbpf.require();
        try (Arena call = Arena.ofConfined()) {
            int n = (int) NUM_POSSIBLE_CPUS.invokeExact(Libbpf.newCallState(call));
            if (n <= 0) {
                throw new BpfException("libbpf_num_possible_cpus", n, "");
            }
            count = n;
            return n;
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw Libbpf.callFailed("libbpf_num_possible_cpus", t);
        }
    }
}
