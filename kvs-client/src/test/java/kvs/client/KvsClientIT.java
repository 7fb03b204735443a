package kvs.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptors;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import kvs.client.KvsException.Code;
import kvs.client.testing.ForwardingInsere;
import kvs.client.testing.LoseFirstResponse;
import kvs.client.testing.ServerMetadata;
import kvs.client.testing.TcpKvs;
import kvs.testing.KvsClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The library against a real cluster of three servers (kvs-testing). */
@Timeout(120)
class KvsClientIT {

  @RegisterExtension static final KvsClusterExtension cluster = KvsClusterExtension.withServers(3);

  /** Keys of their own per test: the cluster is shared by the class. */
  private static String key(String name) {
    return name + "-" + UUID.randomUUID();
  }

  @Test
  void readsNeverFailAndWritesApplyOnceWhenAServerIsStoppedMidRun() throws Exception {
    String prefix = key("failover");
    AtomicInteger done = new AtomicInteger();
    Set<String> written = ConcurrentHashMap.newKeySet();
    List<KvsException> writeFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
    CompletableFuture<Void> hundred = new CompletableFuture<>();
    CompletableFuture<Void> stop = new CompletableFuture<>();
    try (KvsClient kvs = KvsClient.builder().targets(cluster.targets()).build()) {
      CompletableFuture<Void> load =
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; !stop.isDone(); i++) {
                  String k = prefix + "-" + i;
                  try {
                    assertEquals(1, kvs.put(k, "valor"), "a new key's first version");
                    written.add(k);
                  } catch (KvsException e) {
                    writeFailures.add(e); // allowed: a clear failure, never a second version
                    continue;
                  }
                  // Reads never fail, and see the write just made (read-your-writes).
                  assertEquals("valor", kvs.get(k).orElseThrow().value(), k);
                  if (done.incrementAndGet() == 100) {
                    hundred.complete(null);
                  }
                }
              });
      try {
        hundred.get(60, TimeUnit.SECONDS);
        cluster.stopServer(1);
        int atStop = done.get();
        Instant deadline = Instant.now().plusSeconds(60);
        while (done.get() < atStop + 200 && !load.isDone() && Instant.now().isBefore(deadline)) {
          Thread.onSpinWait();
        }
        stop.complete(null);
        load.get(30, TimeUnit.SECONDS);
        assertTrue(done.get() >= atStop + 200, "operations after the stop");
      } finally {
        stop.complete(null);
        cluster.startServer(1);
      }
      cluster.awaitConverged();

      writeFailures.forEach(
          e ->
              assertTrue(
                  Set.of(Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED).contains(e.code()),
                  e::getMessage));
      for (String k : written) {
        assertEquals(OptionalInt.empty(), versionAbove1(kvs, k), "one version of " + k);
      }
    }
  }

  private static OptionalInt versionAbove1(KvsClient kvs, String k) {
    Optional<Entry> newest = kvs.get(k);
    return newest.isPresent() && newest.get().version() > 1
        ? OptionalInt.of(newest.get().version())
        : OptionalInt.empty();
  }

  @Test
  void aWriteWhoseResponseIsLostIsNotAppliedTwice() throws InterruptedException {
    String k = key("lost");
    ServerMetadata proxied = new ServerMetadata(() -> 0);
    ManagedChannel upstream =
        Grpc.newChannelBuilder(cluster.target(0), InsecureChannelCredentials.create()).build();
    try (TcpKvs proxy =
            TcpKvs.start(
                ServerInterceptors.intercept(
                    new ForwardingInsere(upstream), proxied, new LoseFirstResponse("Insere", 1)));
        KvsClient viaProxy = KvsClient.builder().targets(proxy.target()).build();
        KvsClient direct = KvsClient.builder().targets(cluster.target(0)).build()) {
      int version = viaProxy.put(k, "valor1");

      assertEquals(1, version);
      List<ServerMetadata.Call> attempts = proxied.calls("Insere");
      assertEquals(2, attempts.size(), "the first response was lost and the write retried");
      assertEquals(attempts.get(0).requestId(), attempts.get(1).requestId());
      assertEquals(Optional.of(new Entry(k, "valor1", 1)), direct.get(k), "exactly one version");
      assertEquals(Optional.empty(), direct.get(k, 0).filter(e -> e.version() > 1));
    } finally {
      upstream.shutdownNow();
    }
  }

  @Test
  void aClientReadsItsWritesOnEveryServer() {
    try (KvsClient kvs = KvsClient.builder().targets(cluster.targets()).build()) {
      for (int i = 0; i < 50; i++) {
        String k = key("ryw");
        kvs.put(k, "valor" + i);
        assertEquals("valor" + i, kvs.get(k).orElseThrow().value(), "read " + i);
      }
    }
  }

  @Test
  void aWriteOnOneServerIsReadOnAnotherGivenItsPosition() {
    try (KvsClient writer = KvsClient.builder().targets(cluster.target(0)).build();
        KvsClient reader = KvsClient.builder().targets(cluster.target(2)).build()) {
      for (int i = 0; i < 50; i++) {
        String k = key("position");
        writer.put(k, "valor" + i);
        reader.advancePosition(writer.position());

        assertTrue(writer.position() > 0);
        assertEquals("valor" + i, reader.get(k).orElseThrow().value(), "read " + i);
      }
    }
  }

  @Test
  void aLargeBatchStreamsThroughARealServer() {
    String prefix = key("batch");
    int size = 100_000;
    AtomicInteger taken = new AtomicInteger();
    Iterable<KeyValue> items =
        () ->
            IntStream.range(0, size)
                .peek(i -> taken.incrementAndGet())
                .mapToObj(i -> KeyValue.of(prefix + i, "valor"))
                .iterator();
    try (KvsClient kvs =
        KvsClient.builder().targets(cluster.targets()).deadline(Duration.ofSeconds(100)).build()) {
      long consumed = 0;
      for (var it = kvs.putAll(items).iterator(); it.hasNext(); ) {
        PutResult result = it.next();
        if (!result.stored()) {
          fail("rejected: " + result);
        }
        consumed++;
      }

      // How far items may run ahead depends on the server's flow control; StreamingTest checks
      // the client's side of it.
      assertEquals(size, consumed);
      assertEquals(size, taken.get());
      assertEquals("valor", kvs.get(prefix + (size - 1)).orElseThrow().value());
    }
  }

  @Test
  void aValueOverTheServersLimitIsRefusedWithTheServersReason() {
    try (KvsClient kvs = KvsClient.builder().targets(cluster.targets()).build()) {
      KvsException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              KvsException.class, () -> kvs.put(key("big"), "v".repeat(1024 * 1024 + 1)));
      assertEquals(Code.REJECTED, e.code());
      assertEquals(
          "server refused the write: VALUE_TOO_LARGE: the value has 1048577 bytes, over the limit"
              + " of 1048576 (--max-value-size)",
          e.getMessage());
    }
  }
}
