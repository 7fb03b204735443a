package kvs.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import kvs.server.grpc.ServerView;
import kvs.server.replication.StreamCounts;

/**
 * One server's metrics, in its own registry (tests run several servers in one JVM): gauges and
 * totals read from the server when scraped, counters and histograms that its parts feed, and the
 * JVM's. No label carries a key.
 */
public final class KvsMetrics implements StreamCounts {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter writes;
  private final Counter messages;
  private final Histogram writesPerMessage;
  private final Histogram fsync;
  private final Histogram calls;

  public KvsMetrics(ServerView server) {
    gauge(
        "kvs_position",
        "Replication stream entries this server has applied.",
        () -> server.replica().position());
    gauge("kvs_keys", "Keys with at least one live version.", () -> server.replica().keyCount());
    gauge("kvs_versions", "Live versions over all keys.", () -> server.replica().versionCount());
    gauge(
        "kvs_caught_up",
        "1 when this server has caught up with its peers and serves.",
        bit(server::isCaughtUp));
    gauge(
        "kvs_broker_connected",
        "1 while connected to the MQTT broker.",
        bit(server::isBrokerConnected));
    gauge(
        "kvs_peer_lag_entries",
        "How many stream entries this server is behind its most advanced peer (0 when ahead).",
        () -> {
          long ours = server.replica().position();
          long best = ours;
          for (var peer : server.peers().heardWithin(Duration.ofSeconds(5))) {
            best = Math.max(best, peer.heartbeat().position());
          }
          return best - ours;
        });
    CounterWithCallback.builder()
        .name("kvs_resyncs_total")
        .help("Times this server re-synchronized from its peers after having caught up.")
        .callback(callback -> callback.call(server.resyncs()))
        .register(registry);
    writes =
        Counter.builder()
            .name("kvs_writes_total")
            .help(
                "Writes answered, by operation (insere, remove) and result (ok; refused: -1 for the input or a limit; failed: -1, not replicated).")
            .labelNames("operation", "result")
            .register(registry);
    messages =
        Counter.builder()
            .name("kvs_replication_messages_total")
            .help(
                "Replication messages received, by kind (writes, heartbeat, state-request, state-chunk, presence, unknown) and outcome (applied, duplicate, accepted, malformed, rejected).")
            .labelNames("kind", "outcome")
            .register(registry);
    writesPerMessage =
        Histogram.builder()
            .name("kvs_writes_per_message")
            .help("Writes carried by each replication message this server applied.")
            .classicUpperBounds(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
            .register(registry);
    fsync =
        Histogram.builder()
            .name("kvs_fsync_seconds")
            .help("How long forcing the write-ahead log to disk took (with --data-dir).")
            .classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1)
            .register(registry);
    calls =
        Histogram.builder()
            .name("grpc_server_call_duration_seconds")
            .help("gRPC calls served, from their start to their close, by method and status.")
            .labelNames("grpc_method", "grpc_status")
            .classicUpperBounds(
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .register(registry);
    JvmMetrics.builder().register(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** A write answered: {@code result} ok, refused or failed. */
  public void write(String operation, String result) {
    writes.labelValues(operation, result).inc();
  }

  @Override
  public void message(String kind, String outcome) {
    messages.labelValues(kind, outcome).inc();
  }

  @Override
  public void applied(int operations) {
    writesPerMessage.observe(operations);
  }

  /** One fsync of the log. */
  public void fsync(Duration took) {
    fsync.observe(took.toNanos() / 1e9);
  }

  /** One gRPC call closed. */
  void call(String method, String status, long nanos) {
    calls.labelValues(method, status).observe(nanos / 1e9);
  }

  private void gauge(String name, String help, DoubleSupplier value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(callback -> callback.call(value.getAsDouble()))
        .register(registry);
  }

  private static DoubleSupplier bit(BooleanSupplier flag) {
    return () -> flag.getAsBoolean() ? 1 : 0;
  }
}
