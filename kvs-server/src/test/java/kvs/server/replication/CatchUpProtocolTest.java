package kvs.server.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import kvs.proto.ChaveValor;
import kvs.proto.KVSGrpc;
import kvs.proto.Versao;
import kvs.server.KvsServer;
import kvs.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The catch-up protocol over an in-memory stream, in one JVM: simultaneous starts, a peer that
 * vanishes mid-transfer, duplicates and a lost message. The sync timeout is long (30 s), so a test
 * that settles within a few seconds shows that nothing waited for it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CatchUpProtocolTest {
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration WELL_BEFORE_THE_TIMEOUT = Duration.ofSeconds(5);

  private final InMemoryStream stream = new InMemoryStream();
  private final List<KvsServer> servers = new CopyOnWriteArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @AfterEach
  void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    servers.forEach(s -> s.stop(Duration.ofSeconds(1)));
    stream.close();
  }

  private KvsServer start(String id) {
    String name = "catch-up-" + id + "-" + System.nanoTime();
    KvsServer server =
        KvsServer.builder(
                ServerConfig.builder(id)
                    .writeTimeout(Duration.ofSeconds(5))
                    .syncTimeout(SYNC_TIMEOUT)
                    .heartbeatInterval(Duration.ofMillis(200))
                    .build())
            .grpc(InProcessServerBuilder.forName(name))
            .transport(executor -> stream.connect("kvs-" + id, executor))
            .build();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    servers.add(server);
    channels.add(InProcessChannelBuilder.forName(name).directExecutor().build());
    return server;
  }

  private KVSGrpc.KVSBlockingStub blocking(int index) {
    return KVSGrpc.newBlockingStub(channels.get(index)).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static ChaveValor kv(String key, String value) {
    return ChaveValor.newBuilder().setChave(key).setValor(value).build();
  }

  private void awaitAgreement() {
    await("every server at one position and digest")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                servers.stream().allMatch(KvsServer::isCaughtUp)
                    && servers.stream().map(s -> s.replica().position()).distinct().count() == 1
                    && servers.stream().map(s -> s.replica().digest()).distinct().count() == 1);
  }

  @Test
  void serversStartedTogetherSettleWithoutWaitingForAnyTimeout() {
    for (String id : List.of("a", "b", "c")) {
      start(id);
    }
    await("all three caught up")
        .atMost(WELL_BEFORE_THE_TIMEOUT)
        .until(() -> servers.stream().allMatch(KvsServer::isCaughtUp));
    for (int i = 0; i < 3; i++) {
      assertEquals(
          i + 1, blocking(i).insere(kv("chave1", "valor" + i)).getVersao(), "versions in order");
    }
    awaitAgreement();
  }

  @Test
  void aCallMadeBeforeTheServerCaughtUpWaitsAndIsAnswered() {
    KvsServer a = start("a");
    // Called at once, before the server could have caught up: held, then answered.
    assertEquals(1, blocking(0).insere(kv("chave1", "valor1")).getVersao());
    assertTrue(a.isCaughtUp());
  }

  @Test
  void aPeerThatVanishesMidTransferIsNotWaitedFor() throws Exception {
    KvsServer a = start("a");
    KvsServer b = start("b");
    await("a and b caught up")
        .atMost(WELL_BEFORE_THE_TIMEOUT)
        .until(() -> a.isCaughtUp() && b.isCaughtUp());
    List<ChaveValor> items =
        IntStream.range(0, 20_000).mapToObj(i -> kv("key-" + i, "value-" + i)).toList();
    assertTrue(insertAll(items).stream().allMatch(v -> v.getVersao() == 1));
    awaitAgreement();

    // b's answer to the joiner stops after its first chunk, and b crashes right then.
    CompletableFuture<Void> bGone = new CompletableFuture<>();
    stream.dropStateChunksWhen(
        (to, payload) -> {
          String chunk = new String(payload, StandardCharsets.UTF_8);
          boolean cut =
              to.equals("kvs-joiner")
                  && chunk.contains("\"from\":\"b\"")
                  && !chunk.contains("\"index\":0,");
          if (cut && !bGone.isDone()) {
            bGone.complete(null);
            servers.remove(b);
            CompletableFuture.runAsync(() -> b.stop(Duration.ofMillis(100)));
          }
          return cut;
        });
    KvsServer joiner = start("joiner");
    await("the joiner caught up").atMost(WELL_BEFORE_THE_TIMEOUT).until(joiner::isCaughtUp);
    assertTrue(bGone.isDone(), "b was cut off mid-transfer");
    assertEquals(20_000, joiner.replica().keyCount());
    assertEquals(a.replica().digest(), joiner.replica().digest());
  }

  @Test
  void redeliveredMessagesChangeNothing() {
    KvsServer a = start("a");
    KvsServer b = start("b");
    await("a and b caught up")
        .atMost(WELL_BEFORE_THE_TIMEOUT)
        .until(() -> a.isCaughtUp() && b.isCaughtUp());
    stream.duplicateStreamMessagesWhen((to, payload) -> to.equals("kvs-b"));
    for (int i = 0; i < 50; i++) {
      assertEquals(1, blocking(0).insere(kv("key-" + i, "value")).getVersao());
    }
    awaitAgreement();
    assertEquals(0, b.resyncs(), "duplicates are no gap");
    assertEquals(50, b.replica().keyCount());
  }

  @Test
  void aLostMessageIsNoticedAndRepairedFromAPeersRecentChanges() throws Exception {
    KvsServer a = start("a");
    KvsServer b = start("b");
    await("a and b caught up")
        .atMost(WELL_BEFORE_THE_TIMEOUT)
        .until(() -> a.isCaughtUp() && b.isCaughtUp());
    assertEquals(1, blocking(0).insere(kv("first-key", "value")).getVersao());
    awaitAgreement();
    stream.dropStreamMessagesWhen(
        (to, payload) ->
            to.equals("kvs-b") && new String(payload, StandardCharsets.UTF_8).contains("lost-key"));
    assertEquals(1, blocking(0).insere(kv("lost-key", "value")).getVersao());
    stream.drained().get(5, TimeUnit.SECONDS); // a has its answer; b's copy must be dropped too
    stream.dropStreamMessagesWhen((to, payload) -> false);
    assertEquals(1, blocking(0).insere(kv("next-key", "value")).getVersao());
    // Noticed by the gap in a's sequence, or first by a's heartbeat: either way, re-synchronized.
    await("b re-synchronized").atMost(Duration.ofSeconds(10)).until(() -> b.resyncs() >= 1);
    awaitAgreement();
    assertEquals(3, b.replica().keyCount(), "the lost write came back with the changes");
    assertEquals(
        b.resyncs(),
        b.repairs(),
        "each from a's changes since a point they shared, not a whole state");
  }

  @Test
  void writesLostAmongOthersThatArrivedComeBackInTheirPlaceOnEveryKey() throws Exception {
    KvsServer a = start("a");
    KvsServer b = start("b");
    KvsServer c = start("c");
    await("all caught up")
        .atMost(WELL_BEFORE_THE_TIMEOUT)
        .until(() -> servers.stream().allMatch(KvsServer::isCaughtUp));
    // c misses every other write of a, while b's writes to the same keys reach it: what c applies
    // is in another order, relative to what it missed, than on a and b.
    java.util.concurrent.atomic.AtomicInteger seen =
        new java.util.concurrent.atomic.AtomicInteger();
    stream.dropStreamMessagesWhen(
        (to, payload) -> {
          String text = new String(payload, StandardCharsets.UTF_8);
          return to.equals("kvs-c")
              && text.contains("\"origin\":\"a\"")
              && text.contains("\"ops\"")
              && seen.incrementAndGet() % 2 == 0;
        });
    for (int i = 0; i < 20; i++) {
      blocking(0).insere(kv("shared-" + (i % 3), "from-a-" + i));
      blocking(1).insere(kv("shared-" + (i % 3), "from-b-" + i));
    }
    stream.drained().get(5, TimeUnit.SECONDS);
    stream.dropStreamMessagesWhen((to, payload) -> false);
    blocking(0).insere(kv("last-key", "value"));
    await("c re-synchronized").atMost(Duration.ofSeconds(10)).until(() -> c.resyncs() >= 1);
    awaitAgreement();
    assertEquals(c.resyncs(), c.repairs(), "each from a peer's changes");
    assertEquals(a.replica().image(), c.replica().image());
  }

  /** One InsereVarias stream through the first server: every item sent, every version back. */
  private List<Versao> insertAll(List<ChaveValor> items) throws Exception {
    List<Versao> versions = new CopyOnWriteArrayList<>();
    CompletableFuture<List<Versao>> done = new CompletableFuture<>();
    StreamObserver<ChaveValor> requests =
        KVSGrpc.newStub(channels.get(0))
            .insereVarias(
                new StreamObserver<>() {
                  @Override
                  public void onNext(Versao version) {
                    versions.add(version);
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    done.complete(versions);
                  }
                });
    items.forEach(requests::onNext);
    requests.onCompleted();
    return done.get(60, TimeUnit.SECONDS);
  }
}
