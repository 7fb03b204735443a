package kvs.testing;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import kvs.proto.KVSGrpc;
import kvs.server.KvsServer;
import kvs.server.ServerConfig;
import kvs.server.replication.BrokerAddress;

/**
 * N real servers on free TCP ports, replicating through one broker on a topic of their own, with a
 * channel to each. Closing it stops everything it started (not the broker).
 */
public final class TestCluster implements AutoCloseable {
  public static final Duration WRITE_TIMEOUT = Duration.ofSeconds(2);

  /**
   * The settings of a test server {@code id} on {@code brokerUri}: short timeouts keep tests fast,
   * any free port, and a client id of its own per start (no session left from an earlier test).
   */
  public static ServerConfig.Builder config(String id, String brokerUri, String topic) {
    return ServerConfig.builder(id)
        .broker(BrokerAddress.parse(brokerUri))
        .topic(topic)
        .mqttClientId("kvs-test-" + id + "-" + UUID.randomUUID())
        .sessionExpiry(Duration.ofMinutes(1))
        .writeTimeout(WRITE_TIMEOUT)
        .syncTimeout(Duration.ofMillis(700))
        .heartbeatInterval(Duration.ofMillis(200));
  }

  private final String topic = "kvs-test/" + UUID.randomUUID();
  private final MosquittoBroker broker;
  private final UnaryOperator<ServerConfig.Builder> settings;
  private final List<KvsServer> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  private TestCluster(MosquittoBroker broker, UnaryOperator<ServerConfig.Builder> settings) {
    this.broker = broker;
    this.settings = settings;
  }

  /** Starts {@code size} servers and waits until each is connected to the broker. */
  public static TestCluster start(MosquittoBroker broker, int size) {
    return start(broker, size, UnaryOperator.identity());
  }

  /**
   * Starts {@code size} servers whose settings {@code settings} changes from {@link #config}'s (for
   * example {@code b -> b.clusterKeys(keys)}); so are the servers added later.
   */
  public static TestCluster start(
      MosquittoBroker broker, int size, UnaryOperator<ServerConfig.Builder> settings) {
    TestCluster cluster = new TestCluster(broker, settings);
    for (int i = 0; i < size; i++) {
      cluster.addServer("server-" + i);
    }
    return cluster;
  }

  /** Starts one more server and waits until it has caught up. */
  public KvsServer addServer(String id) {
    KvsServer server =
        KvsServer.builder(settings.apply(config(id, broker.uri(), topic)).build()).build();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    servers.add(server);
    channels.add(
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", server.port(), InsecureChannelCredentials.create())
            .build());
    Eventually.await(Duration.ofSeconds(15), id + " caught up", server::isCaughtUp);
    return server;
  }

  public String topic() {
    return topic;
  }

  public int size() {
    return servers.size();
  }

  public KvsServer server(int index) {
    return servers.get(index);
  }

  /** A channel to server {@code index}, for calls of any service. */
  public ManagedChannel channel(int index) {
    return channels.get(index);
  }

  public KVSGrpc.KVSBlockingStub blocking(int index) {
    return KVSGrpc.newBlockingStub(channels.get(index)).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public KVSGrpc.KVSStub async(int index) {
    return KVSGrpc.newStub(channels.get(index)).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /**
   * Waits until every server has applied at least as many stream entries as the furthest one has
   * now: after a write was answered, that includes the write.
   */
  public void awaitConverged() {
    long target = servers.stream().mapToLong(s -> s.replica().position()).max().orElse(0);
    Eventually.await(
        Duration.ofSeconds(10),
        "all servers at stream position " + target,
        () -> servers.stream().allMatch(s -> s.replica().position() >= target));
  }

  @Override
  public void close() {
    channels.forEach(ManagedChannel::shutdownNow);
    servers.forEach(s -> s.stop(Duration.ofSeconds(2)));
  }
}
