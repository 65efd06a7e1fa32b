package io.layotto.spi.state;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layotto.spi.ComponentException;
import java.util.Arrays;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions shared by the state conformance kit and component tests. */
public final class ConformanceAssertions {

  private ConformanceAssertions() {}

  /** The call throws a {@link ComponentException} of one of {@code allowed}, with a message. */
  public static void assertFailsWith(ThrowingCallable call, ComponentException.Kind... allowed) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(ComponentException.class, e -> {
          assertThat(e.kind()).as("kind of '%s'", e.getMessage()).isIn((Object[]) allowed);
          assertThat(e.getMessage()).as("message of a %s failure", e.kind()).isNotBlank();
        });
  }

  /** The value is present and holds exactly the UTF-8 bytes of {@code expected}. */
  public static void assertValue(Optional<StateValue> value, String expected) {
    assertThat(value).as("value expected to be '%s'", expected).isPresent();
    byte[] data = value.orElseThrow().data();
    assertThat(new String(data, UTF_8)).isEqualTo(expected);
    assertThat(data).as("raw bytes %s", Arrays.toString(data)).isEqualTo(expected.getBytes(UTF_8));
  }
}
