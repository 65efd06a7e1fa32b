package io.layotto.components.snowflake;

/**
 * How the 63 usable bits of an id are split (the sign bit stays 0, so ids are positive).
 *
 * @param timeBits milliseconds since the start time
 * @param workerBits the worker id
 * @param seqBits ids per millisecond and worker
 */
record SnowflakeLayout(int timeBits, int workerBits, int seqBits) {

  SnowflakeLayout {
    if (timeBits < 1 || workerBits < 1 || seqBits < 1 || 1 + timeBits + workerBits + seqBits != 64) {
      throw new IllegalArgumentException("1 + timeBits + workerBits + seqBits must be 64, each part at least 1");
    }
  }

  long maxTime() {
    return (1L << timeBits) - 1;
  }

  int maxWorker() {
    return (int) Math.min(Integer.MAX_VALUE, (1L << workerBits) - 1);
  }

  long maxSequence() {
    return (1L << seqBits) - 1;
  }

  void checkWorker(int workerId) {
    if (workerId < 0 || workerId > maxWorker()) {
      throw new IllegalArgumentException("worker id " + workerId + " is outside 0.." + maxWorker());
    }
  }

  long compose(long time, int worker, long sequence) {
    return (time << (workerBits + seqBits)) | ((long) worker << seqBits) | sequence;
  }
}
