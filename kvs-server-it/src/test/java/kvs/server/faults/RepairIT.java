package kvs.server.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import kvs.proto.ChaveValor;
import kvs.server.testing.ServerProcess;
import kvs.testing.Eventually;
import kvs.testing.MosquittoBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server the broker dropped messages for repairs itself from a peer's recent changes, not a whole
 * state. Stock Mosquitto keeps at most 1,000 messages for a subscriber that does not take them: a
 * server stopped (SIGSTOP) while the others write 2,500 times loses the rest; resumed, it notices
 * the gap, and takes only the keys written since the last point it shared with a peer.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RepairIT {
  private static final int WRITES_WHILE_STOPPED = 2500;

  @Test
  void aServerThatLostMessagesTakesOnlyThePeersChanges() throws Exception {
    String topic = "kvs-repair-" + UUID.randomUUID();
    List<ServerProcess> servers = new ArrayList<>();
    try (MosquittoBroker broker = MosquittoBroker.start()) {
      for (String id : List.of("rp-a", "rp-b", "rp-c")) {
        servers.add(
            ServerProcess.start(id, broker.uri(), topic).awaitServing(Duration.ofSeconds(30)));
      }
      // A state larger than what is written while stopped: the repair carries only part of it.
      for (int i = 0; i < 3000; i++) {
        servers.get(i % 2).kvs().insere(kv("before-" + i, "value-" + i));
      }
      Convergence.awaitAgreement(servers);
      ServerProcess stopped = servers.get(2);
      stopped.suspend();
      try {
        for (int i = 0; i < WRITES_WHILE_STOPPED; i++) {
          ServerProcess writer = servers.get(i % 2);
          int version =
              writer
                  .kvs()
                  .withDeadlineAfter(20, TimeUnit.SECONDS)
                  .insere(kv("during-" + (i % 500), "value-" + i))
                  .getVersao();
          assertTrue(version >= 1, "write " + i + " answered " + version);
        }
      } finally {
        stopped.resume();
      }
      Eventually.await(
          Duration.ofSeconds(60),
          "the stopped server re-synchronized",
          () -> stopped.status().getResyncs() >= 1);
      Convergence.awaitAgreement(servers);

      String log = stopped.logText();
      System.out.println("RepairIT, the stopped server's catch-ups:\n" + lastCatchUps(log));
      assertTrue(
          log.contains("repaired from rp-"),
          "repaired from a peer's changes:\n" + lastCatchUps(log));
      assertTrue(!log.contains("installed rp-"), "no whole state installed:\n" + lastCatchUps(log));
    } finally {
      servers.forEach(ServerProcess::resume);
      servers.forEach(ServerProcess::close);
    }
  }

  private static ChaveValor kv(String key, String value) {
    return ChaveValor.newBuilder().setChave(key).setValor(value).build();
  }

  private static String lastCatchUps(String log) {
    List<String> lines =
        log.lines().filter(l -> l.contains("Caught up") || l.contains("WARN")).toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
  }
}
