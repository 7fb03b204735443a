package kvs.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import kvs.client.KvsException.Code;
import kvs.client.testing.FailingKvsService;
import kvs.client.testing.FakeKvsService;
import kvs.client.testing.InProcessKvs;
import kvs.client.testing.SilentKvsService;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.KVSGrpc;
import kvs.proto.Versao;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class KvsClientTest {

  private final FakeKvsService service = new FakeKvsService();
  private InProcessKvs server;
  private KvsClient kvs;

  @BeforeEach
  void start() {
    server = InProcessKvs.start(service);
    kvs = KvsClient.builder().channel(server.channel()).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    kvs.close();
    server.close();
  }

  @Test
  void putAnswersIncreasingVersionsAndGetReadsTheNewest() {
    assertEquals(1, kvs.put("chave1", "valor1"));
    assertEquals(2, kvs.put("chave1", "valor2"));

    assertEquals(Optional.of(new Entry("chave1", "valor2", 2)), kvs.get("chave1"));
  }

  @Test
  void asyncFormsAnswerAsTheBlockingOnes() throws Exception {
    AsyncKvsClient async = kvs.async();

    assertEquals(1, async.put("chave1", "valor1").get());
    assertEquals(2, async.put("chave1", "valor2").get());
    assertEquals(Optional.of(new Entry("chave1", "valor1", 1)), async.get("chave1", 1).get());
    assertEquals(Optional.of(new Entry("chave1", "valor2", 2)), async.get("chave1").get());
    assertTrue(async.remove("chave1", 2).get());
    assertTrue(async.remove("chave1").get());
    assertFalse(async.remove("chave1").get());
    java.util.concurrent.ExecutionException rejected =
        assertThrows(
            java.util.concurrent.ExecutionException.class, () -> async.put("ab", "valor1").get());
    assertEquals(Code.REJECTED, ((KvsException) rejected.getCause()).code());
  }

  @Test
  void putOfAnInvalidKeyThrowsRejected() {
    KvsException e = assertThrows(KvsException.class, () -> kvs.put("ab", "valor1"));

    assertEquals(Code.REJECTED, e.code());
  }

  @Test
  void getWithoutVersionSendsNoVersion() {
    kvs.put("chave1", "valor1");

    kvs.get("chave1");

    ChaveVersao sent = service.<ChaveVersao>received("Consulta").get(0);
    assertFalse(sent.hasVersao());
  }

  @Test
  void getAtVersionSendsItAndReadsTheGreatestVersionNotAbove() {
    kvs.put("chave1", "valor1");
    kvs.put("chave1", "valor2");
    kvs.put("chave1", "valor3");
    kvs.remove("chave1", 2);

    assertEquals(Optional.of(new Entry("chave1", "valor1", 1)), kvs.get("chave1", 2));
    assertEquals(Optional.of(new Entry("chave1", "valor3", 3)), kvs.get("chave1", 0));
    List<ChaveVersao> sent = service.received("Consulta");
    assertTrue(sent.get(0).hasVersao());
    assertEquals(2, sent.get(0).getVersao());
    assertTrue(sent.get(1).hasVersao());
    assertEquals(0, sent.get(1).getVersao());
  }

  @Test
  void getOfAMissingKeyIsEmpty() {
    assertEquals(Optional.empty(), kvs.get("nenhuma"));
    assertEquals(Optional.empty(), kvs.get("nenhuma", 3));
  }

  @Test
  void removeWithoutVersionSendsNoneAndRemovesAllVersions() {
    kvs.put("chave1", "valor1");
    kvs.put("chave1", "valor2");

    assertTrue(kvs.remove("chave1"));
    assertFalse(kvs.remove("chave1"));

    assertEquals(Optional.empty(), kvs.get("chave1", 1));
    assertFalse(service.<ChaveVersao>received("Remove").get(0).hasVersao());
  }

  @Test
  void removeOfOneVersionIsTrueOnlyWhenThatVersionExisted() {
    kvs.put("chave1", "valor1");
    kvs.put("chave1", "valor2");

    assertTrue(kvs.remove("chave1", 2));
    assertFalse(kvs.remove("chave1", 2));

    assertEquals(Optional.of(new Entry("chave1", "valor1", 1)), kvs.get("chave1"));
  }

  @Test
  void removeWithANegativeVersionSendsItAndRemovesAllVersions() {
    kvs.put("chave1", "valor1");

    assertTrue(kvs.remove("chave1", -1));

    assertEquals(-1, service.<ChaveVersao>received("Remove").get(0).getVersao());
    assertEquals(Optional.empty(), kvs.get("chave1"));
  }

  @Test
  void putAllAnswersInOrderWithEmptyForRejectedItems() {
    List<KeyValue> items =
        List.of(
            KeyValue.of("chave1", "valor1"),
            KeyValue.of("ab", "valor1"),
            KeyValue.of("chave1", "valor2"));

    List<PutResult> results = kvs.putAll(items).toList();

    assertEquals(
        List.of(
            new PutResult(items.get(0), OptionalInt.of(1)),
            new PutResult(items.get(1), OptionalInt.empty()),
            new PutResult(items.get(2), OptionalInt.of(2))),
        results);
    assertEquals(3, service.received("InsereVarias").size());
  }

  @Test
  void getAllSendsEachVersionAsGivenAndAnswersInOrder() {
    kvs.put("chave1", "valor1");
    kvs.put("chave1", "valor2");
    kvs.put("chave2", "valor1");

    List<Optional<Entry>> entries =
        kvs.getAll(
                List.of(
                    KeyVersion.of("chave1", 1),
                    KeyVersion.of("nenhuma"),
                    KeyVersion.of("chave2"),
                    KeyVersion.of("chave1", 0)))
            .map(GetResult::entry)
            .toList();

    assertEquals(
        List.of(
            Optional.of(new Entry("chave1", "valor1", 1)),
            Optional.empty(),
            Optional.of(new Entry("chave2", "valor1", 1)),
            Optional.of(new Entry("chave1", "valor2", 2))),
        entries);
    List<ChaveVersao> sent = service.received("ConsultaVarias");
    assertEquals(List.of(true, false, false, true), sent.stream().map(c -> c.hasVersao()).toList());
  }

  @Test
  void removeAllAnswersTheVersionRemovedZeroForAllOrEmptyForNothing() {
    kvs.put("chave1", "valor1");
    kvs.put("chave1", "valor2");
    kvs.put("chave2", "valor1");

    List<Boolean> answers =
        kvs.removeAll(
                List.of(
                    KeyVersion.of("chave1", 2),
                    KeyVersion.of("chave1", 2),
                    KeyVersion.of("chave2"),
                    KeyVersion.of("chave2", 0)))
            .map(RemoveResult::removed)
            .toList();

    assertEquals(List.of(true, false, true, false), answers);
  }

  @Test
  void emptyBatchesMakeNoCall() {
    assertEquals(List.of(), kvs.putAll(List.of()).toList());
    assertEquals(List.of(), kvs.getAll(List.of()).toList());
    assertEquals(List.of(), kvs.removeAll(List.of()).toList());

    assertEquals(List.of(), service.received());
  }

  @Test
  void largeBatchIsSentUnderFlowControlAndAnsweredInOrder() {
    List<KeyValue> items =
        IntStream.range(0, 5_000).mapToObj(i -> KeyValue.of("chave" + i, "valor" + i)).toList();

    List<PutResult> results = kvs.putAll(items).toList();

    assertEquals(5_000, results.size());
    assertTrue(results.stream().allMatch(r -> r.version().equals(OptionalInt.of(1))));
    assertEquals(items, results.stream().map(PutResult::request).toList());
    assertEquals(Optional.of(new Entry("chave4999", "valor4999", 1)), kvs.get("chave4999"));
  }

  @Test
  void snapshotReadsEveryKeyAtAVersionInKeyOrder() {
    kvs.put("chave2", "valor1");
    kvs.put("chave1", "valor1");
    kvs.put("chave1", "valor2");
    kvs.put("chave3", "valor1");
    kvs.put("chave3", "valor2");
    kvs.put("chave3", "valor3");

    assertEquals(
        List.of(
            new Entry("chave1", "valor2", 2),
            new Entry("chave2", "valor1", 1),
            new Entry("chave3", "valor2", 2)),
        kvs.snapshot(2).toList());
    assertEquals(new Entry("chave3", "valor3", 3), kvs.snapshot(0).toList().get(2));
  }

  @Test
  void snapshotWithNothingAtTheVersionIsEmptyNotABlankEntry() {
    assertEquals(List.of(), kvs.snapshot(0).toList());

    kvs.put("chave1", "valor1");
    kvs.put("chave1", "valor2");
    kvs.remove("chave1", 1);

    assertEquals(List.of(), kvs.snapshot(1).toList());
  }

  @Test
  void closeLeavesACallerOwnedChannelOpen() {
    kvs.close();

    assertFalse(server.channel().isShutdown());
    assertEquals(1, KvsClient.builder().channel(server.channel()).build().put("chave1", "valor1"));
  }

  @Test
  void unreachableServerIsUnavailable() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (KvsClient remote = KvsClient.builder().target("127.0.0.1", closedPort).build()) {
      KvsException e = assertThrows(KvsException.class, () -> remote.get("chave1"));

      assertEquals(Code.UNAVAILABLE, e.code());
    }
  }

  @Test
  void serverThatAnswersTooFewRepliesIsAServerError() throws InterruptedException {
    KVSGrpc.KVSImplBase oneReplyShort =
        new KVSGrpc.KVSImplBase() {
          @Override
          public StreamObserver<ChaveValor> insereVarias(StreamObserver<Versao> replies) {
            return new StreamObserver<>() {
              @Override
              public void onNext(ChaveValor value) {}

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {
                replies.onNext(Versao.newBuilder().setVersao(1).build());
                replies.onCompleted();
              }
            };
          }
        };
    try (InProcessKvs other = InProcessKvs.start(oneReplyShort);
        KvsClient client = KvsClient.builder().channel(other.channel()).build()) {
      List<KeyValue> two = List.of(KeyValue.of("chave1", "valor1"), KeyValue.of("chave2", "v2v"));

      KvsException e = assertThrows(KvsException.class, () -> client.putAll(two).toList());

      assertEquals(Code.SERVER_ERROR, e.code());
    }
  }

  @Nested
  class WhenTheServerNeverAnswers {

    private InProcessKvs silent;
    private KvsClient client;

    @BeforeEach
    void start() {
      silent = InProcessKvs.start(new SilentKvsService());
      client =
          KvsClient.builder().channel(silent.channel()).deadline(Duration.ofMillis(100)).build();
    }

    @AfterEach
    void stop() throws InterruptedException {
      client.close();
      silent.close();
    }

    @Test
    void unaryCallsExceedTheDeadline() {
      assertEquals(
          Code.DEADLINE_EXCEEDED,
          assertThrows(KvsException.class, () -> client.get("chave1")).code());
    }

    @Test
    void batchesExceedTheDeadline() {
      List<KeyVersion> items = List.of(KeyVersion.of("chave1"));

      assertEquals(
          Code.DEADLINE_EXCEEDED,
          assertThrows(KvsException.class, () -> client.removeAll(items).toList()).code());
    }

    @Test
    void snapshotExceedsTheDeadline() {
      assertEquals(
          Code.DEADLINE_EXCEEDED,
          assertThrows(KvsException.class, () -> client.snapshot(0).toList()).code());
    }

    @Test
    void aViewHasItsOwnDeadline() {
      KvsClient patient = KvsClient.builder().channel(silent.channel()).build();
      KvsClient hurried = patient.withDeadline(Duration.ofMillis(50));

      assertEquals(
          Code.DEADLINE_EXCEEDED,
          assertThrows(KvsException.class, () -> hurried.get("chave1")).code());
      assertThrows(IllegalArgumentException.class, () -> patient.withDeadline(Duration.ZERO));
    }

    @Test
    void asyncCallsFailTheirFutureAtTheDeadline() {
      java.util.concurrent.CompletableFuture<Integer> put = client.async().put("chave1", "valor1");

      java.util.concurrent.ExecutionException e =
          assertThrows(java.util.concurrent.ExecutionException.class, put::get);
      assertEquals(Code.DEADLINE_EXCEEDED, ((KvsException) e.getCause()).code());
    }

    @Test
    void cancellingAFutureCancelsItsCall() {
      java.util.concurrent.CompletableFuture<Optional<Entry>> get =
          client.withDeadline(Duration.ofSeconds(20)).async().get("chave1");

      assertTrue(get.cancel(false));
      assertTrue(get.isCancelled());
    }

    @Test
    void anInterruptedUnaryCallerGetsInterruptedAndKeepsItsFlag() {
      Thread.currentThread().interrupt();
      try {
        KvsException e = assertThrows(KvsException.class, () -> client.put("chave1", "valor1"));

        assertEquals(Code.INTERRUPTED, e.code());
        assertTrue(Thread.currentThread().isInterrupted());
      } finally {
        Thread.interrupted();
      }
    }

    @Test
    void anInterruptedBatchCallerGetsInterruptedAndKeepsItsFlag() {
      List<KeyValue> items = List.of(KeyValue.of("chave1", "valor1"));
      Thread.currentThread().interrupt();
      try {
        KvsException e = assertThrows(KvsException.class, () -> client.putAll(items).toList());

        assertEquals(Code.INTERRUPTED, e.code());
        assertTrue(Thread.currentThread().isInterrupted());
      } finally {
        Thread.interrupted();
      }
    }
  }

  @Test
  void otherServerErrorsAreServerErrors() throws InterruptedException {
    Status internal = Status.INTERNAL.withDescription("boom");
    try (InProcessKvs failing = InProcessKvs.start(new FailingKvsService(internal));
        KvsClient client = KvsClient.builder().channel(failing.channel()).build()) {
      KvsException unary = assertThrows(KvsException.class, () -> client.get("chave1"));
      KvsException batch =
          assertThrows(
              KvsException.class, () -> client.getAll(List.of(KeyVersion.of("chave1"))).toList());

      assertEquals(Code.SERVER_ERROR, unary.code());
      assertEquals("INTERNAL: boom", unary.getMessage());
      assertEquals(Code.SERVER_ERROR, batch.code());
    }
  }

  @Test
  void anUnimplementedServiceIsAServerError() throws InterruptedException {
    try (InProcessKvs empty = InProcessKvs.start(new KVSGrpc.KVSImplBase() {});
        KvsClient client = KvsClient.builder().channel(empty.channel()).build()) {
      assertEquals(
          Code.SERVER_ERROR,
          assertThrows(KvsException.class, () -> client.snapshot(0).toList()).code());
    }
  }
}
