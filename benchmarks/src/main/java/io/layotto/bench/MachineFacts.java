package io.layotto.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the figures were measured on; the load average matters on a shared machine.
 *
 * @param servers the servers used and their versions, e.g. {@code Redis 7.0.15}
 */
record MachineFacts(int cores, String cpuModel, String jdk, String os, String servers, String loadAverage) {

    static MachineFacts collect(String servers) {
        return new MachineFacts(
                Runtime.getRuntime().availableProcessors(),
                readCpuModel(),
                System.getProperty("java.vm.name") + " " + Runtime.version(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                servers,
                readLoadAverage());
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg. */
    static String readLoadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return "unknown";
        }
    }

    private static String readCpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
