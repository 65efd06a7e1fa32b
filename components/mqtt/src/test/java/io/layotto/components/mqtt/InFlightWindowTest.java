package io.layotto.components.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InFlightWindowTest {

  @Test
  void handsOutAtMostTheLimitInArrivalOrder() {
    List<Integer> handed = new ArrayList<>();
    InFlightWindow<Integer> window = new InFlightWindow<>(2, handed::add);
    for (int i = 0; i < 5; i++) {
      window.offer(i);
    }
    assertThat(handed).containsExactly(0, 1);
    assertThat(window.outstanding()).isEqualTo(2);
    assertThat(window.waiting()).isEqualTo(3);
    window.release();
    assertThat(handed).containsExactly(0, 1, 2);
    window.release();
    window.release();
    assertThat(handed).containsExactly(0, 1, 2, 3, 4);
    assertThat(window.waiting()).isZero();
  }

  @Test
  void clearingDropsOnlyWaitingItems() {
    List<Integer> handed = new ArrayList<>();
    InFlightWindow<Integer> window = new InFlightWindow<>(1, handed::add);
    window.offer(1);
    window.offer(2);
    window.clearWaiting();
    assertThat(window.outstanding()).isEqualTo(1);
    window.release();
    window.offer(3);
    assertThat(handed).containsExactly(1, 3);
  }

  @Test
  void aConsumerThatCompletesAtOnceDoesNotRecurse() {
    List<Integer> handed = new ArrayList<>();
    boolean[] releaseAtOnce = {false};
    @SuppressWarnings("unchecked")
    InFlightWindow<Integer>[] self = new InFlightWindow[1];
    self[0] = new InFlightWindow<>(1, item -> {
      handed.add(item);
      if (releaseAtOnce[0]) {
        self[0].release();
      }
    });
    for (int i = 0; i < 100_000; i++) {
      self[0].offer(i);
    }
    assertThat(handed).containsExactly(0);
    releaseAtOnce[0] = true;
    self[0].release();
    assertThat(handed).hasSize(100_000);
    assertThat(self[0].outstanding()).isZero();
  }

  @Test
  void refusesAZeroLimit() {
    assertThatThrownBy(() -> new InFlightWindow<Integer>(0, i -> {})).isInstanceOf(IllegalArgumentException.class);
  }
}
