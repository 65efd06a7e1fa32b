package io.layotto.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a process's CPU time and resident memory from Linux {@code /proc}:
 * {@code /proc/<pid>/stat} fields 14 and 15 (utime, stime, in clock ticks) and
 * {@code /proc/<pid>/status} {@code VmRSS} (kB).
 */
final class ProcessStats {

    private final long pid;
    private final long clockTicksPerSecond;

    ProcessStats(long pid, long clockTicksPerSecond) {
        this.pid = pid;
        this.clockTicksPerSecond = clockTicksPerSecond;
    }

    /** CPU seconds (user + system) the process has used since it started. */
    double cpuSeconds() {
        return (double) parseCpuTicks(read("stat")) / clockTicksPerSecond;
    }

    long rssKb() {
        return parseStatusKb(read("status"), "VmRSS");
    }

    private String read(String file) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), file), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/" + pid + "/" + file + " (process gone?)", e);
        }
    }

    /**
     * utime + stime from a {@code /proc/<pid>/stat} line. The command name (field 2) is in
     * parentheses and may itself contain spaces and parentheses, so fields are counted from the
     * last ')': after it come field 3 (state), ..., field 14 (utime), field 15 (stime).
     */
    static long parseCpuTicks(String statLine) {
        int close = statLine.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + statLine);
        }
        String[] fields = statLine.substring(close + 1).trim().split("\\s+");
        if (fields.length < 13) {
            throw new IllegalArgumentException("too few fields in /proc/<pid>/stat line: " + statLine);
        }
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** The value in kB of a line like {@code VmRSS:   123456 kB} of {@code /proc/<pid>/status}. */
    static long parseStatusKb(String status, String field) {
        for (String line : status.split("\n")) {
            if (line.startsWith(field + ":")) {
                String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
                return Long.parseLong(parts[0]);
            }
        }
        throw new IllegalArgumentException("no " + field + " line in /proc/<pid>/status");
    }

    /** The kernel's USER_HZ, as {@code getconf CLK_TCK} prints it (almost always 100). */
    static long clockTicksPerSecond() throws IOException, InterruptedException {
        Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
        String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        if (getconf.waitFor() != 0) {
            throw new IOException("getconf CLK_TCK failed: " + out);
        }
        return Long.parseLong(out);
    }
}
