/**
 * Sidecar-versus-direct benchmark of the State API: an open-loop (coordinated-omission corrected)
 * fixed-rate runner, a closed-loop saturation runner, /proc based resource sampling of the sidecar
 * process and a Markdown report. Run with {@code benchmarks/run.sh}.
 */
@NullMarked
package io.layotto.bench;

import org.jspecify.annotations.NullMarked;
