package io.layotto.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcessStatsTest {

    @Test
    void cpuTicksAreUtimePlusStimeCountedFromTheLastParenthesis() {
        // the command name may contain spaces and ')' — fields are counted after the last ')'
        String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 81234 0 12 0 1500 250 3 4 20 0 37 0 "
                + "123456 4000000000 60000 18446744073709551615 1 1 0 0 0 0 0 4096 17638";
        assertThat(ProcessStats.parseCpuTicks(stat)).isEqualTo(1500 + 250);
    }

    @Test
    void statLineWithoutCommandIsRejected() {
        assertThatThrownBy(() -> ProcessStats.parseCpuTicks("garbage"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("garbage");
    }

    @Test
    void rssIsReadFromTheStatusLine() {
        String status = "Name:\tjava\nVmPeak:\t 5000000 kB\nVmHWM:\t  310000 kB\nVmRSS:\t  298765 kB\nThreads:\t37\n";
        assertThat(ProcessStats.parseStatusKb(status, "VmRSS")).isEqualTo(298_765);
        assertThat(ProcessStats.parseStatusKb(status, "VmHWM")).isEqualTo(310_000);
        assertThatThrownBy(() -> ProcessStats.parseStatusKb(status, "VmSwap"))
                .hasMessageContaining("VmSwap");
    }

    @Test
    void readsThisProcessFromProc() throws Exception {
        long ticks = ProcessStats.clockTicksPerSecond();
        var stats = new ProcessStats(ProcessHandle.current().pid(), ticks);

        assertThat(ticks).isPositive();
        assertThat(stats.rssKb()).isPositive();
        double before = stats.cpuSeconds();
        long sink = 0;
        for (int i = 0; i < 50_000_000; i++) {
            sink += i ^ (sink >>> 3);
        }
        assertThat(sink).isNotZero();
        assertThat(stats.cpuSeconds()).isGreaterThanOrEqualTo(before);
    }
}
