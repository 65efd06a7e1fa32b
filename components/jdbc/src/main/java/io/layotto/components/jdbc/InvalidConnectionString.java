package io.layotto.components.jdbc;

/**
 * A {@code connectionString} that cannot be parsed. The reason names the part at fault but never
 * repeats the string itself, which may hold a password.
 */
final class InvalidConnectionString extends IllegalArgumentException {

  InvalidConnectionString(String reason) {
    super(reason);
  }
}
