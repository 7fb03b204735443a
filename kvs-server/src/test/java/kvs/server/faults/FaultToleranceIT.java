package kvs.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import kvs.proto.ChaveValor;
import kvs.proto.Tupla;
import kvs.server.testing.Eventually;
import kvs.server.testing.MosquittoBroker;
import kvs.server.testing.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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

  static ChaveValor kv(String key, String value) {
    return ChaveValor.newBuilder().setChave(key).setValor(value).build();
  }

  static void awaitAcknowledged(WriteLoad load, long count) {
    Eventually.await(Duration.ofSeconds(60), count + " acknowledged writes", () -> load.acknowledgedCount() >= count);
  }
}
