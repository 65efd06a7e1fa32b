package io.layotto.components.snowflake;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerFeature;
import io.layotto.spi.sequencer.SequencerKeys;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sequencer type {@code snowflake}: ids made in the sidecar from the clock, a worker id and a
 * sequence (see {@link SnowflakeGenerator}). Ids are unique across keys, strictly increasing per
 * instance, and above those of earlier holders of the lease table. The worker id is configured
 * ({@code workerId}, which must then differ per sidecar) or leased from a database table
 * ({@link WorkerLease}); without a valid lease no id is made (UNAVAILABLE), so two sidecars never
 * make ids with the same worker id at the same time. Sidecars' clocks are assumed to agree within
 * {@code maxClockBackward}.
 */
public final class SnowflakeSequencer implements Sequencer {

  private static final Logger log = LoggerFactory.getLogger(SnowflakeSequencer.class);
  static final Set<SequencerFeature> FEATURES =
      Collections.unmodifiableSet(EnumSet.of(SequencerFeature.SHARED_BACKEND));

  private final LongSupplier clock;
  private volatile @Nullable State state;

  private record State(SnowflakeSettings settings, SnowflakeGenerator generator, @Nullable WorkerLease lease,
      @Nullable ScheduledExecutorService renewer) {}

  /** Valid until this {@link System#nanoTime()}; irrelevant with a fixed worker id. */
  private volatile long leaseValidUntil;
  private volatile @Nullable String leaseProblem;

  public SnowflakeSequencer() {
    this(System::currentTimeMillis);
  }

  SnowflakeSequencer(LongSupplier clock) {
    this.clock = clock;
  }

  @Override
  public Set<SequencerFeature> features() {
    return FEATURES;
  }

  @Override
  public synchronized void init(Metadata metadata, Map<String, Long> biggerThan) {
    if (state != null) {
      throw new IllegalStateException("snowflake sequencer initialised twice");
    }
    SnowflakeSettings settings = SnowflakeSettings.from(metadata);
    SnowflakeGenerator generator = new SnowflakeGenerator(settings.layout(), settings.startTime().toEpochMilli(),
        settings.maxClockBackward().toMillis(), clock);
    generator.advancePast(clock.getAsLong());
    WorkerLease lease = null;
    ScheduledExecutorService renewer = null;
    try {
      if (settings.database() != null) {
        lease = new WorkerLease(settings.componentName(), settings.database(), settings.leaseTtl());
        long started = System.nanoTime();
        WorkerLease.Claim claim = lease.claim(settings.layout().maxWorker());
        generator.useWorker(claim.workerId());
        generator.advancePast(claim.lastTimeMillis());
        leaseValidUntil = started + settings.leaseTtl().toNanos();
        log.info("snowflake sequencer '{}' leased worker id {} from {}", settings.componentName(), claim.workerId(),
            settings.database());
      } else {
        generator.useWorker(settings.workerId().orElseThrow());
      }
      long smallest = generator.smallestIdNow();
      for (Map.Entry<String, Long> e : biggerThan.entrySet()) {
        if (e.getValue() >= smallest) {
          throw ComponentException.invalidArgument("biggerThan " + e.getValue() + " of key '" + e.getKey()
              + "' cannot be honoured by snowflake sequencer '" + settings.componentName() + "': its ids are time-based"
              + " and start around " + smallest + " now");
        }
      }
      if (lease != null) {
        WorkerLease l = lease;
        renewer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
            .name("layotto-snowflake-lease-" + settings.componentName()).factory());
        long period = Math.max(1, settings.leaseTtl().toMillis() / 3);
        renewer.scheduleWithFixedDelay(() -> renew(settings, generator, l), period, period, TimeUnit.MILLISECONDS);
      }
    } catch (RuntimeException e) {
      if (lease != null) {
        try {
          lease.release(generator.workerId(), generator.lastIdMillis());
        } catch (RuntimeException ignored) {
          // the lease expires by itself
        }
        lease.close();
      }
      throw e;
    }
    state = new State(settings, generator, lease, renewer);
  }

  private void renew(SnowflakeSettings settings, SnowflakeGenerator generator, WorkerLease lease) {
    long started = System.nanoTime();
    int worker = generator.workerId();
    try {
      if (lease.renew(worker, generator.lastIdMillis())) {
        leaseValidUntil = started + settings.leaseTtl().toNanos();
        leaseProblem = null;
        return;
      }
      // our row expired while the database was out of reach and another sidecar took it: take a new id
      log.warn("snowflake sequencer '{}' lost worker id {}; leasing another", settings.componentName(), worker);
      WorkerLease.Claim claim = lease.claim(settings.layout().maxWorker());
      generator.useWorker(claim.workerId());
      generator.advancePast(claim.lastTimeMillis());
      leaseValidUntil = started + settings.leaseTtl().toNanos();
      leaseProblem = null;
    } catch (RuntimeException e) {
      leaseProblem = e.getMessage();
      log.warn("snowflake sequencer '{}' could not renew the lease of worker id {}: {}", settings.componentName(),
          worker, e.getMessage());
    }
  }

  @Override
  public long nextId(String key) {
    SequencerKeys.requireKey(key);
    State s = state();
    if (s.lease() != null && System.nanoTime() - leaseValidUntil > 0) {
      throw ComponentException.unavailable("snowflake sequencer '" + s.settings().componentName()
          + "' has no valid worker id lease (renewal failed: " + leaseProblem + "); no id is made until it is renewed",
          null);
    }
    return s.generator().next();
  }

  @Override
  public Health checkHealth() {
    State s = state;
    if (s == null) {
      return Health.down("snowflake sequencer is not initialised");
    }
    WorkerLease lease = s.lease();
    if (lease == null) {
      return Health.up();
    }
    if (System.nanoTime() - leaseValidUntil > 0) {
      return Health.down("worker id lease expired: " + leaseProblem);
    }
    return lease.ping() ? Health.up() : Health.down("the lease database " + s.settings().database() + " does not answer");
  }

  private State state() {
    State s = state;
    if (s == null) {
      throw ComponentException.internal("snowflake sequencer is not initialised (or already closed)", null);
    }
    return s;
  }

  @Override
  public synchronized void close() {
    State s = state;
    state = null;
    if (s == null) {
      return;
    }
    if (s.renewer() != null) {
      s.renewer().shutdownNow();
    }
    WorkerLease lease = s.lease();
    if (lease != null) {
      try {
        lease.release(s.generator().workerId(), s.generator().lastIdMillis());
      } catch (RuntimeException e) {
        log.warn("snowflake sequencer '{}' could not release its worker id (it expires by itself): {}",
            s.settings().componentName(), e.getMessage());
      }
      lease.close();
    }
  }
}
