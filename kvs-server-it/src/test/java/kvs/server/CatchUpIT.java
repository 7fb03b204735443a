package kvs.server;

import static kvs.server.KvsServiceIT.key;
import static kvs.server.KvsServiceIT.kv;
import static kvs.server.KvsServiceIT.versao;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import kvs.proto.ChaveValor;
import kvs.proto.KVSGrpc;
import kvs.proto.Tupla;
import kvs.server.testing.BidiCalls;
import kvs.testing.MosquittoBroker;
import kvs.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server that starts after the others have data catches up through the stream before it serves.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CatchUpIT {

  @Test
  void aLateServerGetsTheWholeStateIncludingTombstonesAndAgrees() {
    try (MosquittoBroker broker = MosquittoBroker.start();
        TestCluster cluster = TestCluster.start(broker, 2)) {
      for (int n = 0; n < 1000; n++) {
        assertTrue(
            cluster.blocking(n % 2).insere(kv("key" + (n % 100), "value" + n)).getVersao() >= 1);
      }
      assertEquals(0, cluster.blocking(0).remove(key("key7")).getVersao());
      assertEquals(10, cluster.blocking(1).remove(key("key8", 10)).getVersao());
      cluster.awaitConverged();

      KvsServer late = cluster.addServer("late");
      assertEquals(cluster.server(0).replica().position(), late.replica().position());
      assertEquals(cluster.server(0).replica().digest(), late.replica().digest());
      assertEquals(snapshot(cluster, 0), snapshot(cluster, 2));
      assertEquals(
          11,
          cluster.blocking(2).insere(kv("key7", "again")).getVersao(),
          "never-reuse rule came along");
      cluster.awaitConverged();
      assertEquals(snapshot(cluster, 0), snapshot(cluster, 2));
    }
  }

  @Test
  void aHundredThousandKeysTransfer() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.start();
        TestCluster cluster = TestCluster.start(broker, 1)) {
      List<ChaveValor> batch = new ArrayList<>();
      for (int n = 0; n < 100_000; n++) {
        batch.add(kv(String.format("key-%06d", n), "value-" + n));
      }
      List<kvs.proto.Versao> replies =
          BidiCalls.exchange(cluster.async(0), batch, KVSGrpc.KVSStub::insereVarias);
      assertTrue(replies.stream().allMatch(v -> v.getVersao() == 1));

      KvsServer late = cluster.addServer("late");
      assertEquals(100_000, late.replica().keyCount());
      assertEquals(cluster.server(0).replica().digest(), late.replica().digest());
      assertEquals(
          KvsServiceIT.tupla("key-054321", "value-54321", 1),
          cluster.blocking(1).consulta(key("key-054321")));
    }
  }

  private static List<Tupla> snapshot(TestCluster cluster, int server) {
    List<Tupla> entries = new ArrayList<>();
    cluster.blocking(server).snapshot(versao(0)).forEachRemaining(entries::add);
    return entries;
  }
}
