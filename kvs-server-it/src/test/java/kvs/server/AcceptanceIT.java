package kvs.server;

import static kvs.server.KvsServiceIT.key;
import static kvs.server.KvsServiceIT.kv;
import static kvs.server.KvsServiceIT.tupla;
import static kvs.server.KvsServiceIT.versao;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import kvs.proto.ChaveVersao;
import kvs.proto.KVSGrpc;
import kvs.proto.Tupla;
import kvs.server.testing.BidiCalls;
import kvs.testing.MosquittoBroker;
import kvs.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The course's acceptance scenario, step by step, on three servers (0, 1, 2 stand for 9000, 9001,
 * 9002). Between steps the test waits until every server has applied the previous writes, as a
 * person typing the commands would.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AcceptanceIT {
  private TestCluster cluster;

  @Test
  void theCourseScenario() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.start();
        TestCluster started = TestCluster.start(broker, 3)) {
      cluster = started;
      // 1
      assertEquals(1, insere(0, "chave1", "valor1"));
      assertEquals(2, insere(2, "chave1", "valor2"));
      assertEquals(3, insere(1, "chave1", "valor3"));
      assertEquals(4, insere(1, "chave1", "valor4"));
      // 2
      assertEquals(1, insere(0, "chave99", "valor111"));
      assertEquals(2, insere(1, "chave99", "valor222"));
      assertEquals(3, insere(2, "chave99", "valor333"));
      // 3
      assertEquals(
          List.of(versao(5), versao(4), versao(1), versao(1)),
          stream(
              1,
              List.of(
                  kv("chave1", "valor5"),
                  kv("chave99", "valor444"),
                  kv("chave-aaa", "valor-aaa"),
                  kv("chave-bbb", "valor-bbb")),
              KVSGrpc.KVSStub::insereVarias));
      cluster.awaitConverged();
      // 4
      assertEquals(tupla("chave1", "valor1", 1), cluster.blocking(0).consulta(key("chave1", 1)));
      assertEquals(tupla("chave1", "valor5", 5), cluster.blocking(2).consulta(key("chave1", -1)));
      assertEquals(tupla("chave99", "valor444", 4), cluster.blocking(0).consulta(key("chave99")));
      assertEquals(
          tupla("chave99", "valor444", 4), cluster.blocking(1).consulta(key("chave99", 1000)));
      // 5
      assertEquals(
          List.of(tupla("chave99", "valor333", 3), tupla("chave-aaa", "valor-aaa", 1)),
          stream(
              1, List.of(key("chave99", 3), key("chave-aaa", 0)), KVSGrpc.KVSStub::consultaVarias));
      // 6
      assertEquals(
          List.of(
              tupla("chave-aaa", "valor-aaa", 1),
              tupla("chave-bbb", "valor-bbb", 1),
              tupla("chave1", "valor5", 5),
              tupla("chave99", "valor444", 4)),
          snapshot(1, 0));
      // 7
      assertEquals(
          List.of(
              tupla("chave-aaa", "valor-aaa", 1),
              tupla("chave-bbb", "valor-bbb", 1),
              tupla("chave1", "valor2", 2),
              tupla("chave99", "valor222", 2)),
          snapshot(2, 2));
      // 8
      assertEquals(1, remove(0, key("chave1", 1)));
      assertEquals(-1, remove(1, key("chave1", 1)));
      assertEquals(0, remove(2, key("chave99")));
      assertEquals(-1, remove(1, key("chave99", 1000)));
      // 9
      assertEquals(
          List.of(versao(2), versao(-1)),
          stream(1, List.of(key("chave1", 2), key("chave-aaa", 2)), KVSGrpc.KVSStub::removeVarias));
      cluster.awaitConverged();
      // 10
      assertEquals(Tupla.getDefaultInstance(), cluster.blocking(2).consulta(key("chave1", 1)));
      assertEquals(
          List.of(tupla("chave-aaa", "valor-aaa", 1), tupla("chave-bbb", "valor-bbb", 1)),
          snapshot(0, 2));
      // 11
      assertEquals(6, insere(2, "chave1", "valor6"));
      assertEquals(5, insere(1, "chave99", "valor555"));
      assertEquals(2, insere(0, "chave-aaa", "valor-aaa2"));
      // 12
      assertEquals(
          List.of(
              tupla("chave-aaa", "valor-aaa2", 2),
              tupla("chave-bbb", "valor-bbb", 1),
              tupla("chave1", "valor6", 6),
              tupla("chave99", "valor555", 5)),
          snapshot(1, 0));
      // 13
      assertEquals(
          List.of(tupla("chave-aaa", "valor-aaa2", 2), tupla("chave-bbb", "valor-bbb", 1)),
          snapshot(0, 2));
    }
  }

  private int insere(int server, String key, String value) {
    int version = cluster.blocking(server).insere(kv(key, value)).getVersao();
    cluster.awaitConverged();
    return version;
  }

  private int remove(int server, ChaveVersao request) {
    int version = cluster.blocking(server).remove(request).getVersao();
    cluster.awaitConverged();
    return version;
  }

  private List<Tupla> snapshot(int server, int version) {
    List<Tupla> entries = new ArrayList<>();
    cluster.blocking(server).snapshot(versao(version)).forEachRemaining(entries::add);
    return entries;
  }

  private <Q, A> List<A> stream(int server, List<Q> requests, BidiCalls.Call<Q, A> call)
      throws Exception {
    return BidiCalls.exchange(cluster.async(server), requests, call);
  }
}
