package io.layotto.bench;

import java.util.Locale;

/** One workload shape the benchmark runs against each target in turn. */
sealed interface Phase {

    String title();

    /** Open loop at a fixed total rate (saves and gets alternate, so each gets half). */
    record FixedRate(int ratePerSecond) implements Phase {
        @Override
        public String title() {
            return String.format(Locale.ROOT, "Fixed rate %,d req/s", ratePerSecond);
        }
    }

    /** Closed loop with a fixed number of outstanding requests. */
    record Saturation(int concurrency) implements Phase {
        @Override
        public String title() {
            return "Saturation, " + concurrency + " concurrent streams";
        }
    }
}
