package io.layotto.runtime.config;

/**
 * One {@code hellos} entry: the greeting {@code SayHello} answers with.
 *
 * @param path the JSON path of the entry, for error messages
 */
public record HelloConfig(String name, String type, String greeting, String path) {}
