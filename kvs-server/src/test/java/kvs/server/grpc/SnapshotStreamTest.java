package kvs.server.grpc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import kvs.core.replication.Operation;
import kvs.core.replication.ReplicationMessage;
import kvs.proto.KVSGrpc;
import kvs.proto.Tupla;
import kvs.proto.Versao;
import kvs.server.replication.ServingState;
import kvs.server.state.Replica;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Snapshot streams with flow control and answers the state as of its start, over grpc-java's
 * in-process transport (which keeps flow control exact) with the replica driven directly.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SnapshotStreamTest {
  private static final int KEYS = 20_000;

  private final Replica replica = new Replica();
  private final ExecutorService writer = Executors.newSingleThreadExecutor();
  private Server server;
  private ManagedChannel channel;
  private long sequence;

  @BeforeEach
  void start() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor() // as in KvsServer
            .addService(
                ServerInterceptors.intercept(
                    new KvsService(
                        replica,
                        null,
                        ServingState.serving(),
                        Duration.ofSeconds(1),
                        kvs.core.replication.SizeLimits.DEFAULT),
                    new CallMetadata(replica::position)))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    writer.shutdownNow();
    channel.shutdownNow();
    server.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  private synchronized void apply(List<Operation> operations) {
    replica.apply(new ReplicationMessage("test", "run", ++sequence, operations));
  }

  private static String key(int n) {
    return String.format("key-%05d", n);
  }

  private static Tupla tupla(String key, String value, int version) {
    return Tupla.newBuilder().setChave(key).setValor(value).setVersao(version).build();
  }

  private static Versao versao(int version) {
    return Versao.newBuilder().setVersao(version).build();
  }

  /** Every key gets version 1; every third key also version 2. Answers Snapshot(0) of that. */
  private List<Tupla> fill() {
    List<Tupla> newest = new ArrayList<>();
    for (int start = 0; start < KEYS; start += 1000) {
      List<Operation> batch = new ArrayList<>();
      for (int n = start; n < start + 1000; n++) {
        batch.add(new Operation.Put(key(n), "first-" + n));
        if (n % 3 == 0) {
          batch.add(new Operation.Put(key(n), "second-" + n));
        }
        newest.add(n % 3 == 0 ? tupla(key(n), "second-" + n, 2) : tupla(key(n), "first-" + n, 1));
      }
      apply(batch);
    }
    return newest;
  }

  /**
   * Changes that would all show in a snapshot: new versions, removals, new keys, ahead and behind.
   */
  private void changeEverything(int round) {
    List<Operation> batch = new ArrayList<>();
    for (int n = round % 7; n < KEYS; n += 97) {
      batch.add(new Operation.Put(key(n), "changed-" + round));
      batch.add(new Operation.Put(key(n) + "-new" + round, "created"));
    }
    for (int n = round % 11; n < KEYS; n += 389) {
      batch.add(Operation.Remove.all(key(n)));
      batch.add(new Operation.Remove(key(n + 1), 1));
    }
    apply(batch);
  }

  /**
   * Calls Snapshot(version) asking for one message at a time; {@code onEach} runs on each message
   * before the next is asked for.
   */
  private CompletableFuture<List<Tupla>> oneAtATime(
      KVSGrpc.KVSStub stub, int version, Consumer<ClientCallStreamObserver<Versao>> onEach) {
    CompletableFuture<List<Tupla>> done = new CompletableFuture<>();
    stub.snapshot(
        versao(version),
        new ClientResponseObserver<Versao, Tupla>() {
          private final List<Tupla> received = new ArrayList<>();
          private ClientCallStreamObserver<Versao> call;

          @Override
          public void beforeStart(ClientCallStreamObserver<Versao> call) {
            this.call = call;
            call.disableAutoRequestWithInitial(1);
          }

          @Override
          public void onNext(Tupla tupla) {
            received.add(tupla);
            onEach.accept(call);
          }

          @Override
          public void onError(Throwable error) {
            done.completeExceptionally(error);
          }

          @Override
          public void onCompleted() {
            done.complete(received);
          }
        });
    return done;
  }

  @Test
  void readOneMessageAtATimeItIsTheStateAtItsStartWhateverIsAppliedMeanwhile() throws Exception {
    List<Tupla> atStart = fill();
    long startPosition = replica.position();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    KVSGrpc.KVSStub stub =
        KVSGrpc.newStub(channel)
            .withInterceptors(
                MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers));
    int[] count = {0};
    List<Tupla> received =
        oneAtATime(
                stub,
                0,
                call -> {
                  if (++count[0] % 500 == 0) {
                    changeEverything(count[0] / 500);
                  }
                  call.request(1);
                })
            .get(30, TimeUnit.SECONDS);

    assertTrue(replica.position() > startPosition + 30, "changes were applied during the stream");
    assertEquals(atStart, received);
    assertEquals(
        Long.toString(startPosition),
        trailers.get().get(CallMetadata.POSITION),
        "the position at its start");
    assertEquals(0, replica.openSnapshots());
  }

  @Test
  void aWriterRunningThroughoutDoesNotShowThroughASnapshot() throws Exception {
    fill();
    AtomicBoolean snapshotDone = new AtomicBoolean();
    for (int version : new int[] {0, 1}) {
      List<Tupla> expected = new ArrayList<>();
      Iterator<Tupla> atStart = KVSGrpc.newBlockingStub(channel).snapshot(versao(version));
      atStart.forEachRemaining(expected::add);

      Iterator<Tupla> snapshot = KVSGrpc.newBlockingStub(channel).snapshot(versao(version));
      List<Tupla> received = new ArrayList<>();
      received.add(snapshot.next()); // the stream has started: its state is fixed
      long startPosition = replica.position();
      snapshotDone.set(false);
      Future<?> writes =
          writer.submit(
              () -> {
                for (int round = 1; !snapshotDone.get(); round++) {
                  changeEverything(round);
                }
              });
      await("the writer is under way")
          .atMost(Duration.ofSeconds(10))
          .until(() -> replica.position() > startPosition + 5);
      snapshot.forEachRemaining(received::add);
      snapshotDone.set(true);
      writes.get(10, TimeUnit.SECONDS);

      assertEquals(expected, received, "Snapshot(" + version + ")");
    }
    assertEquals(0, replica.openSnapshots());
  }

  @Test
  void cancellingMidStreamClosesTheCursor() throws Exception {
    fill();
    CompletableFuture<Void> tenReceived = new CompletableFuture<>();
    AtomicReference<ClientCallStreamObserver<Versao>> call = new AtomicReference<>();
    int[] count = {0};
    CompletableFuture<List<Tupla>> snapshot =
        oneAtATime(
            KVSGrpc.newStub(channel),
            0,
            c -> {
              call.set(c);
              if (++count[0] < 10) {
                c.request(1);
              } else {
                tenReceived.complete(null);
              }
            });
    tenReceived.get(10, TimeUnit.SECONDS);
    assertEquals(1, replica.openSnapshots(), "open while the client holds back");

    call.get().cancel("enough", null);
    await("the cursor closed")
        .atMost(Duration.ofSeconds(5))
        .until(() -> replica.openSnapshots() == 0);
    assertEquals(
        Status.Code.CANCELLED,
        Status.fromThrowable(
                org.junit.jupiter.api.Assertions.assertThrows(Exception.class, snapshot::join))
            .getCode());
  }

  @Test
  void aDeadlineThatExpiresMidStreamClosesTheCursor() {
    fill();
    CompletableFuture<List<Tupla>> snapshot =
        oneAtATime(
            KVSGrpc.newStub(channel).withDeadlineAfter(300, TimeUnit.MILLISECONDS), 0, c -> {});
    await("the call failed").atMost(Duration.ofSeconds(5)).until(snapshot::isDone);
    await("the cursor closed")
        .atMost(Duration.ofSeconds(5))
        .until(() -> replica.openSnapshots() == 0);
  }

  @Test
  void nothingToAnswerGivesOneBlankTupla() {
    List<Tupla> received = new ArrayList<>();
    KVSGrpc.newBlockingStub(channel).snapshot(versao(0)).forEachRemaining(received::add);
    assertEquals(List.of(Tupla.getDefaultInstance()), received);
    apply(
        List.of(
            new Operation.Put("chave1", "valor1"),
            new Operation.Put("chave1", "valor2"),
            new Operation.Remove("chave1", 1)));
    received.clear();
    KVSGrpc.newBlockingStub(channel).snapshot(versao(1)).forEachRemaining(received::add);
    assertEquals(List.of(Tupla.getDefaultInstance()), received);
    assertEquals(0, replica.openSnapshots());
  }

  @Test
  void aSnapshotForALaterPositionWaitsForIt() throws Exception {
    apply(List.of(new Operation.Put("chave1", "valor1")));
    Metadata headers = new Metadata();
    headers.put(CallMetadata.MIN_POSITION, Long.toString(replica.position() + 1));
    CompletableFuture<List<Tupla>> snapshot =
        oneAtATime(
            KVSGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)),
            0,
            c -> c.request(1));
    assertEquals(0, replica.openSnapshots(), "no cursor before the position is reached");
    apply(List.of(new Operation.Put("chave2", "valor2")));
    assertEquals(
        List.of(tupla("chave1", "valor1", 1), tupla("chave2", "valor2", 1)),
        snapshot.get(10, TimeUnit.SECONDS));
  }
}
