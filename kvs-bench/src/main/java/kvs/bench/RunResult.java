package kvs.bench;

/**
 * What a run measured.
 *
 * @param main the workload's requests (lag: the probes)
 * @param lag lag: the probes' lag (only its latencies are meaningful), else null
 * @param load lag with --rate: the background writes, else null
 * @param snapshotEntries snapshot: the fewest and most tuples of one stream, else null
 * @param loadedKeys keys loaded before the run (0: none)
 * @param loadSeconds how long loading took
 */
record RunResult(
    Measure main,
    Measure lag,
    Measure load,
    long[] snapshotEntries,
    long loadedKeys,
    double loadSeconds) {}
