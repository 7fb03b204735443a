package kvs.bench;

import io.grpc.ChannelCredentials;
import java.time.Duration;
import java.util.List;

/**
 * One benchmark run, as the command line asked for it (validated, defaults resolved).
 *
 * @param workload what to send
 * @param system what is measured
 * @param targets the servers, in order (lag: write on the first, read on the second)
 * @param concurrency requests in flight (closed loop), or at most in flight (open loop)
 * @param count requests, items (insere-varias) or probes (lag); {@link LoadLoop#UNLIMITED} when
 *     timed
 * @param duration how long the measured phase sends, or null when counted
 * @param warmup how long to run first without keeping the results (zero: none)
 * @param keys the key space: 0 for a distinct key per request, else the requests cycle over it
 * @param keySize characters per key
 * @param valueSize characters per value
 * @param readRatio mixed: the share of reads
 * @param batch insere-varias (and loading): items per InsereVarias stream
 * @param preload load the key space before the run (always for snapshot)
 * @param rate open loop: requests per second (lag: of the background writes); 0 for a closed loop
 * @param probeRate lag: probes per second
 * @param timeout each call's deadline
 * @param quiet no progress lines on stderr
 * @param credentials plaintext or TLS, for every target
 */
record BenchConfig(
    Workload workload,
    SystemKind system,
    List<Target> targets,
    int concurrency,
    long count,
    Duration duration,
    Duration warmup,
    long keys,
    int keySize,
    int valueSize,
    double readRatio,
    int batch,
    boolean preload,
    double rate,
    double probeRate,
    Duration timeout,
    boolean quiet,
    ChannelCredentials credentials) {

  BenchConfig {
    targets = List.copyOf(targets);
  }

  boolean timed() {
    return duration != null;
  }

  /** Whether the key space is loaded before the run. */
  boolean loads() {
    return keys > 0 && (workload == Workload.SNAPSHOT || preload) && system != SystemKind.ECHO;
  }
}
