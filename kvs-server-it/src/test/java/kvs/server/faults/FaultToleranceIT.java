package kvs.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import kvs.proto.ChaveValor;
import kvs.proto.Tupla;
import kvs.server.testing.ServerProcess;
import kvs.testing.Eventually;
import kvs.testing.MosquittoBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real server processes and a real Mosquitto, broken on purpose. Each test ends with one state on
 * every server and every acknowledged write present.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FaultToleranceIT {
  private static final Duration START = Duration.ofSeconds(45);

  private MosquittoBroker broker;
  private final String topic = "kvs-faults/" + UUID.randomUUID();
  private final List<ServerProcess> servers = new ArrayList<>();

  @BeforeEach
  void startBroker() {
    broker = MosquittoBroker.start();
  }

  @AfterEach
  void stopAll() {
    servers.forEach(ServerProcess::close);
    broker.close();
  }

  private ServerProcess server(String id, String... extra) {
    ServerProcess server = ServerProcess.start(id, broker.uri(), topic, extra);
    servers.add(server);
    return server;
  }

  @Test
  void aLateServerServesOnlyAfterCatchingUpAndAgrees() {
    ServerProcess a = server("a").awaitServing(START);
    ServerProcess b = server("b").awaitServing(START);
    for (int n = 0; n < 1000; n++) {
      ServerProcess target = n % 2 == 0 ? a : b;
      assertTrue(target.kvs().insere(kv("key" + (n % 97), "value" + n)).getVersao() >= 1);
    }
    Convergence.awaitAgreement(List.of(a, b));
    List<Tupla> expected = Convergence.snapshot(a);

    ServerProcess late = server("late");
    // The first answer it gives is already the whole state: never stale or partial data.
    Eventually.await(
        START,
        "the late server answers",
        () -> {
          try {
            List<Tupla> first = Convergence.snapshot(late);
            assertEquals(expected, first, "first snapshot served by the late server");
            return true;
          } catch (StatusRuntimeException e) {
            return false; // not listening yet, or UNAVAILABLE: catching up
          }
        });
    Convergence.assertConvergedWith(List.of(a, b, late), java.util.Map.of());
  }

  @Test
  void aServerKilledUnderLoadRestartsAndCatchesUp() throws Exception {
    ServerProcess a = server("a").awaitServing(START);
    ServerProcess b = server("b").awaitServing(START);
    ServerProcess c = server("c").awaitServing(START);
    try (WriteLoad load = new WriteLoad(List.of(a, b))) {
      awaitAcknowledged(load, 200);
      c.kill();
      awaitAcknowledged(load, load.acknowledgedCount() + 200);
      c.restart().awaitServing(START);
      awaitAcknowledged(load, load.acknowledgedCount() + 200);
      load.close();
      Convergence.assertConvergedWith(List.of(a, b, c), load.acknowledged());
    }
  }

  @Test
  void theBrokerKilledUnderLoadComesBackAndTheServersConverge() throws Exception {
    ServerProcess a = server("a").awaitServing(START);
    ServerProcess b = server("b").awaitServing(START);
    ServerProcess c = server("c").awaitServing(START);
    try (WriteLoad load = new WriteLoad(List.of(a, b, c))) {
      awaitAcknowledged(load, 300);
      broker.stop();
      broker.restart();
      long before = load.acknowledgedCount();
      awaitAcknowledged(load, before + 300); // writes work again, without restarting anything
      load.close();
      Convergence.assertConvergedWith(List.of(a, b, c), load.acknowledged());
    }
  }

  @Test
  void theWholeClusterKilledWithItsBrokerLosesNothingAcknowledged(@TempDir Path data)
      throws Exception {
    List<ServerProcess> all = new ArrayList<>();
    for (String id : List.of("a", "b", "c")) {
      all.add(
          server(
              id,
              "--data-dir",
              data.resolve(id).toString(),
              "--fsync",
              "batch",
              "--snapshot-every",
              "500"));
    }
    all.forEach(s -> s.awaitServing(START));
    try (WriteLoad load = new WriteLoad(all)) {
      awaitAcknowledged(load, 1500); // several snapshots on the way
      all.forEach(ServerProcess::kill);
      broker.stop();
      load.close();
      broker.restart();
      all.forEach(ServerProcess::restart);
      all.forEach(s -> s.awaitServing(START));
      Convergence.assertConvergedWith(all, load.acknowledged());
      for (ServerProcess server : all) {
        assertTrue(
            java.util.regex.Pattern.compile("Recovered position [1-9]")
                .matcher(server.logText())
                .find(),
            "recovered a non-empty state from disk:\n" + server.logText());
      }
    }
  }

  @Test
  void aCorruptLogTailIsCutOffAndTheServerRejoins(@TempDir Path data) throws Exception {
    ServerProcess a = server("a", "--data-dir", data.resolve("a").toString()).awaitServing(START);
    ServerProcess b = server("b", "--data-dir", data.resolve("b").toString()).awaitServing(START);
    for (int n = 0; n < 100; n++) {
      assertTrue((n % 2 == 0 ? a : b).kvs().insere(kv("key" + n, "value" + n)).getVersao() >= 1);
    }
    Convergence.awaitAgreement(List.of(a, b));
    b.kill();
    Path log = newestLogFile(data.resolve("b"));
    byte[] junk = new byte[37];
    new java.util.Random(7).nextBytes(junk);
    junk[0] = 0; // a plausible small length: a torn record, not an absurd one
    Files.write(log, junk, StandardOpenOption.APPEND);
    b.restart().awaitServing(START);
    assertTrue(b.logText().contains("torn or corrupt"), "the cut was reported:\n" + b.logText());
    assertEquals(2, a.kvs().insere(kv("key0", "after")).getVersao(), "still writable");
    Convergence.assertConvergedWith(List.of(a, b), java.util.Map.of());
  }

  private static Path newestLogFile(Path dir) throws java.io.IOException {
    try (var files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("wal") && Files.isRegularFile(p))
          .max(java.util.Comparator.comparing(p -> p.toFile().lastModified()))
          .orElseThrow(() -> new AssertionError("no write-ahead log in " + dir));
    }
  }

  static ChaveValor kv(String key, String value) {
    return ChaveValor.newBuilder().setChave(key).setValor(value).build();
  }

  static void awaitAcknowledged(WriteLoad load, long count) {
    Eventually.await(
        Duration.ofSeconds(60),
        count + " acknowledged writes",
        () -> load.acknowledgedCount() >= count);
  }
}
