package io.layotto.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much CPU time the hypervisor gave to other guests during a run (the {@code steal} column of
 * {@code /proc/stat}): on a shared virtual machine, a run with much steal has tails that say more
 * about the neighbours than about the code.
 */
final class CpuSteal {

    private final long[] atStart;

    private CpuSteal(long[] atStart) {
        this.atStart = atStart;
    }

    static CpuSteal start() {
        return new CpuSteal(read());
    }

    /** E.g. {@code "CPU steal during the run: 2.4 %"}; "unknown" where /proc/stat cannot be read. */
    String describeSinceStart() {
        long[] now = read();
        if (atStart == null || now == null) {
            return "CPU steal during the run: unknown";
        }
        return "CPU steal during the run: " + String.format(java.util.Locale.ROOT, "%.1f %%",
                percent(atStart, now));
    }

    /** Steal between two samples as a percentage of all CPU time between them. */
    static double percent(long[] before, long[] after) {
        long total = after[0] - before[0];
        return total <= 0 ? 0 : 100.0 * (after[1] - before[1]) / total;
    }

    /** {total, steal} in clock ticks from the first line of /proc/stat, or null. */
    static long[] parse(String cpuLine) {
        String[] fields = cpuLine.trim().split("\\s+");
        if (fields.length < 9 || !fields[0].equals("cpu")) {
            return null;
        }
        long total = 0;
        // user nice system idle iowait irq softirq steal (guest time is already in user)
        for (int i = 1; i <= 8; i++) {
            total += Long.parseLong(fields[i]);
        }
        return new long[] {total, Long.parseLong(fields[8])};
    }

    private static long[] read() {
        try {
            return parse(Files.readAllLines(Path.of("/proc/stat")).getFirst());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
