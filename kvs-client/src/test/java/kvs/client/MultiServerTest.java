package kvs.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ServerInterceptors;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import kvs.client.KvsException.Code;
import kvs.client.testing.FailingKvsService;
import kvs.client.testing.FakeKvsService;
import kvs.client.testing.LoseFirstResponse;
import kvs.client.testing.ServerMetadata.Call;
import kvs.client.testing.TcpKvs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several servers over real TCP: round robin, failover, retries by the service config, and writes
 * that a retry does not apply twice. Fake servers that share one {@link FakeKvsService} behave as a
 * replicated cluster.
 */
@Timeout(60)
class MultiServerTest {

  private static String targets(TcpKvs... servers) {
    return String.join(",", java.util.Arrays.stream(servers).map(TcpKvs::target).toList());
  }

  @Test
  void callsAreSpreadOverEveryServer() throws InterruptedException {
    FakeKvsService a = new FakeKvsService();
    FakeKvsService b = new FakeKvsService();
    try (TcpKvs serverA = TcpKvs.start(a.definition());
        TcpKvs serverB = TcpKvs.start(b.definition());
        KvsClient kvs =
            KvsClient.builder().targets(targets(serverA, serverB)).readYourWrites(false).build()) {
      Instant deadline = Instant.now().plusSeconds(20);
      while ((a.received().isEmpty() || b.received().isEmpty())
          && Instant.now().isBefore(deadline)) {
        kvs.get("chave1");
      }

      assertTrue(!a.received().isEmpty() && !b.received().isEmpty(), "both servers got calls");
    }
  }

  @Test
  void readsAndWritesGoOnWhenAServerIsStoppedMidRun() throws Exception {
    FakeKvsService cluster = new FakeKvsService();
    TcpKvs[] servers = {
      TcpKvs.start(cluster.definition()),
      TcpKvs.start(cluster.definition()),
      TcpKvs.start(cluster.definition())
    };
    AtomicInteger done = new AtomicInteger();
    CompletableFuture<Void> hundred = new CompletableFuture<>();
    CompletableFuture<Void> stop = new CompletableFuture<>();
    try (KvsClient kvs = KvsClient.builder().targets(targets(servers)).build()) {
      CompletableFuture<Void> load =
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; !stop.isDone(); i++) {
                  int version = kvs.put("chave" + i, "valor" + i);
                  assertEquals(1, version, "written once");
                  assertEquals(
                      Optional.of(new Entry("chave" + i, "valor" + i, 1)), kvs.get("chave" + i));
                  if (done.incrementAndGet() == 100) {
                    hundred.complete(null);
                  }
                }
              });

      hundred.get(20, TimeUnit.SECONDS);
      servers[1].stop();
      int atStop = done.get();
      Instant deadline = Instant.now().plusSeconds(20);
      while (done.get() < atStop + 200 && !load.isDone() && Instant.now().isBefore(deadline)) {
        Thread.onSpinWait();
      }
      stop.complete(null);
      load.get(20, TimeUnit.SECONDS); // rethrows any failure of the load

      assertTrue(done.get() >= atStop + 200, "operations after the kill: " + (done.get() - atStop));
    } finally {
      for (TcpKvs server : servers) {
        server.close();
      }
    }
  }

  @Test
  void aServerThatIsCatchingUpIsSkipped() throws InterruptedException {
    FakeKvsService healthy = new FakeKvsService();
    try (TcpKvs catchingUp =
            TcpKvs.start(ServerInterceptors.intercept(FailingKvsService.catchingUp()));
        TcpKvs good = TcpKvs.start(healthy.definition());
        KvsClient kvs = KvsClient.builder().targets(targets(catchingUp, good)).build()) {
      for (int i = 0; i < 20; i++) {
        assertEquals(i + 1, kvs.put("chave1", "valor" + i));
        assertEquals(i + 1, kvs.get("chave1").orElseThrow().version());
      }
    }
  }

  @Test
  void everyServerCatchingUpIsReportedAsCatchingUpAfterTheRetries() throws InterruptedException {
    try (TcpKvs one = TcpKvs.start(ServerInterceptors.intercept(FailingKvsService.catchingUp()));
        KvsClient kvs = KvsClient.builder().targets(targets(one)).build()) {
      assertEquals(Code.CATCHING_UP, assertThrows(KvsException.class, () -> kvs.get("k01")).code());
    }
  }

  @Test
  void aWriteWhoseResponseIsLostIsRetriedWithTheSameIdAndAppliedOnce() throws InterruptedException {
    FakeKvsService cluster = new FakeKvsService();
    try (TcpKvs server = TcpKvs.start(cluster.definition(new LoseFirstResponse("Insere", 1)));
        KvsClient kvs = KvsClient.builder().targets(server.target()).build()) {
      int version = kvs.put("chave1", "valor1");

      assertEquals(1, version);
      assertEquals(List.of(1), cluster.versions("chave1"), "exactly one version");
      List<Call> attempts = cluster.metadata().calls("Insere");
      assertEquals(2, attempts.size(), "the lost response was retried");
      assertEquals(attempts.get(0).requestId(), attempts.get(1).requestId());
    }
  }

  @Test
  void aRetriedWriteIsRecognizedByAnotherServer() throws InterruptedException {
    FakeKvsService cluster = new FakeKvsService();
    LoseFirstResponse lose = new LoseFirstResponse("Insere", 1);
    try (TcpKvs a = TcpKvs.start(cluster.definition(lose));
        TcpKvs b = TcpKvs.start(cluster.definition(lose));
        KvsClient kvs = KvsClient.builder().targets(targets(a, b)).build()) {
      for (int i = 0; i < 10; i++) {
        kvs.put("chave" + i, "valor");
      }

      IntStream.range(0, 10)
          .forEach(i -> assertEquals(List.of(1), cluster.versions("chave" + i), "chave" + i));
      assertEquals(11, cluster.metadata().calls("Insere").size());
    }
  }

  @Test
  void aBatchWhoseResponsesAreLostIsRetriedAndEachItemAppliedOnce() throws InterruptedException {
    FakeKvsService cluster = new FakeKvsService();
    try (TcpKvs server =
            TcpKvs.start(cluster.definition(new LoseFirstResponse("InsereVarias", 1)));
        KvsClient kvs = KvsClient.builder().targets(server.target()).build()) {
      List<KeyValue> items =
          IntStream.range(0, 50).mapToObj(i -> KeyValue.of("chave" + i, "valor" + i)).toList();

      List<PutResult> results = kvs.putAll(items).toList();

      assertTrue(results.stream().allMatch(r -> r.version().getAsInt() == 1));
      IntStream.range(0, 50)
          .forEach(i -> assertEquals(List.of(1), cluster.versions("chave" + i), "chave" + i));
      List<Call> attempts = cluster.metadata().calls("InsereVarias");
      assertEquals(2, attempts.size());
      assertEquals(attempts.get(0).requestId(), attempts.get(1).requestId());
    }
  }

  @Test
  void withRetriesOffALostResponseIsAClearFailure() throws InterruptedException {
    FakeKvsService cluster = new FakeKvsService();
    try (TcpKvs server = TcpKvs.start(cluster.definition(new LoseFirstResponse("Insere", 1)));
        KvsClient kvs = KvsClient.builder().targets(server.target()).retryWrites(false).build()) {
      KvsException e = assertThrows(KvsException.class, () -> kvs.put("chave1", "valor1"));

      assertEquals(Code.UNAVAILABLE, e.code());
      assertEquals("UNAVAILABLE: response lost", e.getMessage());
      assertEquals(1, cluster.metadata().calls("Insere").size());
    }
  }

  @Test
  void readsSeeTheClientsWritesEvenWhenAServerIsBehind() throws InterruptedException {
    FakeKvsService ahead = new FakeKvsService();
    FakeKvsService behind = new FakeKvsService(); // has applied nothing
    try (TcpKvs a = TcpKvs.start(ahead.definition());
        TcpKvs b = TcpKvs.start(behind.definition());
        KvsClient writer = KvsClient.builder().targets(a.target()).build();
        KvsClient reader = KvsClient.builder().targets(targets(a, b)).build()) {
      writer.put("chave1", "valor1");
      reader.advancePosition(writer.position());

      for (int i = 0; i < 20; i++) {
        int read = i;
        assertTrue(
            reader.get("chave1").isPresent(),
            () ->
                "read "
                    + read
                    + " A: "
                    + ahead.metadata().calls()
                    + " B: "
                    + behind.metadata().calls());
      }
      assertTrue(
          behind.metadata().calls("Consulta").stream().allMatch(c -> "1".equals(c.minPosition())));
    }
  }

  @Test
  void withoutThePositionAReadCanMissTheWrite() throws InterruptedException {
    FakeKvsService ahead = new FakeKvsService();
    FakeKvsService behind = new FakeKvsService();
    try (TcpKvs a = TcpKvs.start(ahead.definition());
        TcpKvs b = TcpKvs.start(behind.definition());
        KvsClient writer = KvsClient.builder().targets(a.target()).build();
        KvsClient reader =
            KvsClient.builder().targets(targets(a, b)).readYourWrites(false).build()) {
      writer.put("chave1", "valor1");

      Instant deadline = Instant.now().plusSeconds(20);
      boolean missed = false;
      while (!missed && Instant.now().isBefore(deadline)) {
        missed = reader.get("chave1").isEmpty();
      }
      assertTrue(missed, "a read served by the server that is behind misses the write");
    }
  }

  @Test
  void theDeadlineCoversEveryAttempt() throws InterruptedException {
    Status down = Status.UNAVAILABLE.withDescription("down");
    try (TcpKvs one = TcpKvs.start(ServerInterceptors.intercept(new FailingKvsService(down)));
        KvsClient kvs =
            KvsClient.builder().targets(one.target()).deadline(Duration.ofMillis(30)).build()) {
      KvsException e = assertThrows(KvsException.class, () -> kvs.get("chave1"));

      assertTrue(
          e.code() == Code.DEADLINE_EXCEEDED || e.code() == Code.UNAVAILABLE, e.getMessage());
    }
  }
}
