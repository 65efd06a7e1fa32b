package io.layotto.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The event ids subscriber apps recorded, one line each, in record files (one per app process, as
 * {@code io.layotto.e2e.apps.RecordingSubscriberApp} writes them). Only complete lines count: a file
 * may be read while its app appends to it.
 *
 * @param distinct every id recorded at least once
 * @param total recorded lines: {@code total - distinct.size()} are duplicate deliveries
 * @param perFile lines per record file, in the given order
 */
public record RecordedEvents(Set<String> distinct, long total, Map<String, Long> perFile) {

  public static RecordedEvents read(List<Path> files) {
    Set<String> distinct = new HashSet<>();
    long total = 0;
    Map<String, Long> perFile = new LinkedHashMap<>();
    for (Path file : files) {
      long lines = 0;
      if (Files.exists(file)) {
        String text;
        try {
          text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read the record file " + file, e);
        }
        int start = 0;
        for (int end = text.indexOf('\n'); end >= 0; start = end + 1, end = text.indexOf('\n', start)) {
          distinct.add(text.substring(start, end));
          lines++;
        }
      }
      perFile.put(file.getFileName().toString(), lines);
      total += lines;
    }
    return new RecordedEvents(distinct, total, perFile);
  }

  public long duplicates() {
    return total - distinct.size();
  }
}
