package io.layotto.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpuStealTest {

    @Test
    void stealIsAShareOfAllCpuTimeBetweenTwoSamples() {
        long[] before = CpuSteal.parse("cpu  100 0 50 800 10 0 20 20 0 0");
        long[] after = CpuSteal.parse("cpu  200 0 100 1600 10 0 20 70 0 0");
        assertThat(before).containsExactly(1000, 20);
        // 1,000 ticks passed, 50 of them stolen
        assertThat(CpuSteal.percent(before, after)).isEqualTo(5.0);
    }

    @Test
    void aLineThatIsNotTheCpuTotalIsNotParsed() {
        assertThat(CpuSteal.parse("cpu0 1 2 3 4 5 6 7 8")).isNull();
        assertThat(CpuSteal.parse("cpu 1 2")).isNull();
    }

    @Test
    void describesTheRunSoFarOnThisMachine() {
        assertThat(CpuSteal.start().describeSinceStart()).matches("CPU steal during the run: (\\d+\\.\\d %|unknown)");
    }
}
