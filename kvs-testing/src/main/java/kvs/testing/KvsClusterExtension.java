package kvs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import kvs.server.KvsServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that runs a real KVS cluster for your tests: a Mosquitto broker on a free
 * port and {@code N} in-JVM {@link KvsServer}s on free loopback TCP ports, replicating through it
 * on a topic of their own. Point your own code (a client, a service that uses one) at {@link
 * #targets()} and test it against the real thing.
 *
 * <pre>{@code
 * class MyClientTest {
 *   @RegisterExtension
 *   static final KvsClusterExtension cluster = KvsClusterExtension.withServers(3);
 *
 *   @Test
 *   void survivesACrash() {
 *     MyClient client = new MyClient(cluster.targets()); // "127.0.0.1:41234,127.0.0.1:41235,..."
 *     client.put("k", "v");
 *     cluster.awaitConverged();                          // every running server has applied it
 *     cluster.stopServer(0);                             // server 0 crashes: its port refuses connections
 *     assertEquals("v", client.get("k"));                // the client fails over to 1 or 2
 *     cluster.startServer(0);                            // back on the same port, caught up
 *   }
 * }
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 *
 * <ul>
 *   <li>On a {@code static} field the cluster starts before the first test of the class and is
 *       closed after the last one; every test (and every {@code @Nested} class) shares it, with
 *       whatever data earlier tests left.
 *   <li>On an instance field every test gets a fresh cluster (new broker, new servers, new ports),
 *       closed after that test. (With {@code @TestInstance(PER_CLASS)} an instance field behaves
 *       like a static one: one cluster for the class.)
 * </ul>
 *
 * <p>Before any test runs, every server is connected to the broker and has caught up. Servers
 * stopped by a test are started again only by {@link #startServer(int)}, not by the extension: in
 * the static form a test that stops a server should start it again if later tests need it.
 *
 * <p>It needs a {@code mosquitto} binary (Debian: {@code apt-get install mosquitto}); without one
 * the tests fail with that hint, they are not skipped. The extension is meant to be used from the
 * test thread; it is not built for concurrent test execution sharing one instance.
 */
public final class KvsClusterExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
  private static final Duration STOP_GRACE = Duration.ofSeconds(2);
  private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration CONVERGE_TIMEOUT = Duration.ofSeconds(10);

  private final int size;

  // All set while running, null otherwise.
  private MosquittoBroker broker;
  private String topic;
  private int[] ports;

  /** The server currently serving each index; null while that one is stopped. */
  private KvsServer[] running;

  /** The unique id of the JUnit context that started the cluster: only its end closes it. */
  private String owner;

  private KvsClusterExtension(int size) {
    this.size = size;
  }

  /** A cluster of {@code servers} servers, numbered 0 to {@code servers - 1}. */
  public static KvsClusterExtension withServers(int servers) {
    if (servers < 1) {
      throw new IllegalArgumentException("A cluster needs at least one server, not " + servers);
    }
    return new KvsClusterExtension(servers);
  }

  // ---- JUnit callbacks: whichever context starts the cluster closes it at its end. ----

  @Override
  public void beforeAll(ExtensionContext context) {
    startIfNeeded(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    startIfNeeded(context);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    closeIfOwner(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    closeIfOwner(context);
  }

  private synchronized void startIfNeeded(ExtensionContext context) {
    if (broker != null) {
      return; // already started by an enclosing context (a static field seen from a @Nested class
      // or a test)
    }
    owner = context.getUniqueId();
    start();
  }

  private synchronized void closeIfOwner(ExtensionContext context) {
    if (broker != null && context.getUniqueId().equals(owner)) {
      close();
    }
  }

  // ---- The cluster ----

  /** How many servers the cluster has (running or stopped). */
  public int size() {
    return size;
  }

  /**
   * The gRPC port of server {@code index}; it keeps it across {@link #stopServer} and {@link
   * #startServer}.
   */
  public synchronized int port(int index) {
    requireRunning();
    return ports[checkIndex(index)];
  }

  /** {@code 127.0.0.1:PORT} of server {@code index}. */
  public String target(int index) {
    return "127.0.0.1:" + port(index);
  }

  /**
   * Every server's address, comma-separated in index order, e.g. {@code
   * 127.0.0.1:41234,127.0.0.1:41235,127.0.0.1:41236}. It always lists all {@link #size()} servers,
   * stopped ones included, so a client given it sees a stopped server as a refused connection and
   * has to fail over, as it would in production.
   */
  public String targets() {
    return IntStream.range(0, size).mapToObj(this::target).collect(Collectors.joining(","));
  }

  /** The server now serving index {@code index}; fails when it is stopped. */
  public synchronized KvsServer server(int index) {
    requireRunning();
    KvsServer server = running[checkIndex(index)];
    if (server == null) {
      throw new IllegalStateException("Server " + index + " is stopped");
    }
    return server;
  }

  /** False after {@link #stopServer(int)} until {@link #startServer(int)}. */
  public synchronized boolean isRunning(int index) {
    requireRunning();
    return running[checkIndex(index)] != null;
  }

  /**
   * The broker, e.g. to {@link MosquittoBroker#stop() stop} and {@link MosquittoBroker#restart()
   * restart} it.
   */
  public synchronized MosquittoBroker broker() {
    requireRunning();
    return broker;
  }

  /** The broker's URI, {@code tcp://127.0.0.1:PORT}. */
  public String brokerUri() {
    return broker().uri();
  }

  /** The MQTT topic the servers replicate on (random per cluster). */
  public synchronized String topic() {
    requireRunning();
    return topic;
  }

  /**
   * Stops server {@code index} (calls in flight get up to 2 s to finish): from then on its port
   * refuses connections and it takes no part in replication. The others go on serving.
   */
  public void stopServer(int index) {
    KvsServer server;
    synchronized (this) {
      server = server(index);
      running[index] = null;
    }
    server.stop(STOP_GRACE);
  }

  /**
   * Starts server {@code index} again after {@link #stopServer(int)}: same id and port, an empty
   * state that it catches up from its peers. Returns once it has caught up.
   */
  public KvsServer startServer(int index) {
    int port;
    synchronized (this) {
      if (isRunning(index)) {
        throw new IllegalStateException("Server " + index + " is already running");
      }
      port = ports[index];
    }
    return launch(index, port);
  }

  /**
   * Waits until every running server has applied at least as many replication-stream entries as the
   * furthest one has now. After a write was answered, that includes the write.
   */
  public void awaitConverged() {
    List<KvsServer> live;
    synchronized (this) {
      requireRunning();
      live = new ArrayList<>();
      for (KvsServer server : running) {
        if (server != null) {
          live.add(server);
        }
      }
    }
    long target = live.stream().mapToLong(s -> s.replica().position()).max().orElse(0);
    Eventually.await(
        CONVERGE_TIMEOUT,
        "all running servers at stream position " + target,
        () -> live.stream().allMatch(s -> s.replica().position() >= target));
  }

  // ---- Starting and closing ----

  private void start() {
    try {
      broker = MosquittoBroker.start();
      topic = "kvs-test/" + UUID.randomUUID();
      ports = new int[size];
      running = new KvsServer[size];
      for (int i = 0; i < size; i++) {
        ports[i] = launch(i, 0).port(); // a free port, kept across stopServer and startServer
      }
    } catch (RuntimeException | Error e) {
      try {
        close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Starts server {@code index} on {@code port} (0: any free one), as {@link TestCluster} does (its
   * short-timeout {@link TestCluster#config}), and returns once it has caught up. TestCluster
   * itself is not used: it cannot stop or restart one of its servers.
   */
  private KvsServer launch(int index, int port) {
    String id = serverId(index);
    String brokerUri;
    String topic;
    synchronized (this) {
      brokerUri = broker.uri();
      topic = this.topic;
    }
    KvsServer server =
        KvsServer.builder(TestCluster.config(id, brokerUri, topic).port(port).build()).build();
    try {
      server.start();
    } catch (IOException e) {
      server.stop(Duration.ZERO);
      throw new UncheckedIOException("Could not start " + id + " on port " + port, e);
    }
    synchronized (this) {
      running[index] = server;
    }
    Eventually.await(
        CATCH_UP_TIMEOUT,
        id + " connected to the broker and caught up",
        () -> server.isBrokerConnected() && server.isCaughtUp());
    return server;
  }

  /** Stops every running server and the broker; safe to call on a half-started cluster. */
  private void close() {
    try {
      if (running != null) {
        for (KvsServer server : running) {
          if (server != null) {
            server.stop(STOP_GRACE);
          }
        }
      }
    } finally {
      if (broker != null) {
        broker.close();
      }
      broker = null;
      topic = null;
      ports = null;
      running = null;
      owner = null;
    }
  }

  private static String serverId(int index) {
    return "server-" + index;
  }

  private int checkIndex(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("Server " + index + " of a cluster of " + size);
    }
    return index;
  }

  private void requireRunning() {
    if (broker == null) {
      throw new IllegalStateException(
          "The cluster is not running: register the extension with @RegisterExtension and use it"
              + " from a test (or @BeforeEach, or @BeforeAll for a static field)");
    }
  }
}
