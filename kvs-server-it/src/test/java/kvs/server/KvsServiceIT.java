package kvs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.KVSGrpc;
import kvs.proto.Tupla;
import kvs.proto.Versao;
import kvs.server.testing.BidiCalls;
import kvs.testing.MosquittoBroker;
import kvs.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every operation of kvs.KVS and its error paths, on one real server with a real broker. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KvsServiceIT {
  private static MosquittoBroker broker;
  private TestCluster cluster;
  private KVSGrpc.KVSBlockingStub kvs;

  @BeforeAll
  static void startBroker() {
    broker = MosquittoBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @BeforeEach
  void startServer() {
    cluster = TestCluster.start(broker, 1);
    kvs = cluster.blocking(0);
  }

  @org.junit.jupiter.api.AfterEach
  void stopServer() {
    cluster.close();
  }

  static ChaveValor kv(String key, String value) {
    return ChaveValor.newBuilder().setChave(key).setValor(value).build();
  }

  static ChaveVersao key(String key) {
    return ChaveVersao.newBuilder().setChave(key).build();
  }

  static ChaveVersao key(String key, int version) {
    return ChaveVersao.newBuilder().setChave(key).setVersao(version).build();
  }

  static Tupla tupla(String key, String value, int version) {
    return Tupla.newBuilder().setChave(key).setValor(value).setVersao(version).build();
  }

  static Versao versao(int version) {
    return Versao.newBuilder().setVersao(version).build();
  }

  @Test
  void insereAnswersConsecutiveVersionsPerKey() {
    assertEquals(1, kvs.insere(kv("chave1", "valor1")).getVersao());
    assertEquals(2, kvs.insere(kv("chave1", "valor2")).getVersao());
    assertEquals(1, kvs.insere(kv("chave2", "valor1")).getVersao());
  }

  @Test
  void insereRejectsShortKeysAndValuesWithMinusOne() {
    assertEquals(-1, kvs.insere(kv("ab", "valor1")).getVersao());
    assertEquals(-1, kvs.insere(kv("chave1", "vv")).getVersao());
    assertEquals(-1, kvs.insere(kv("", "")).getVersao());
    assertEquals(Tupla.getDefaultInstance(), kvs.consulta(key("ab")));
    assertEquals(1, kvs.insere(kv("chave1", "valor1")).getVersao(), "nothing changed");
  }

  @Test
  void consultaWithoutVersionOrNonPositiveAnswersNewest() {
    kvs.insere(kv("chave1", "valor1"));
    kvs.insere(kv("chave1", "valor2"));
    assertEquals(tupla("chave1", "valor2", 2), kvs.consulta(key("chave1")));
    assertEquals(tupla("chave1", "valor2", 2), kvs.consulta(key("chave1", 0)));
    assertEquals(tupla("chave1", "valor2", 2), kvs.consulta(key("chave1", -1)));
  }

  @Test
  void consultaWithVersionAnswersGreatestAtMostIt() {
    kvs.insere(kv("chave1", "valor1"));
    kvs.insere(kv("chave1", "valor2"));
    assertEquals(tupla("chave1", "valor1", 1), kvs.consulta(key("chave1", 1)));
    assertEquals(tupla("chave1", "valor2", 2), kvs.consulta(key("chave1", 1000)));
  }

  @Test
  void consultaAnswersBlankWhenNotFoundOrInvalid() {
    assertEquals(Tupla.getDefaultInstance(), kvs.consulta(key("nokey")));
    assertEquals(Tupla.getDefaultInstance(), kvs.consulta(key("xy", 1)));
    kvs.insere(kv("chave1", "valor1"));
    kvs.remove(key("chave1", 1));
    kvs.insere(kv("chave1", "valor2"));
    assertEquals(Tupla.getDefaultInstance(), kvs.consulta(key("chave1", 1)));
  }

  @Test
  void removeOfOneVersion() {
    kvs.insere(kv("chave1", "valor1"));
    kvs.insere(kv("chave1", "valor2"));
    assertEquals(1, kvs.remove(key("chave1", 1)).getVersao());
    assertEquals(-1, kvs.remove(key("chave1", 1)).getVersao());
    assertEquals(-1, kvs.remove(key("chave1", 1000)).getVersao());
    assertEquals(-1, kvs.remove(key("nokey", 1)).getVersao());
    assertEquals(-1, kvs.remove(key("xy", 1)).getVersao());
    assertEquals(tupla("chave1", "valor2", 2), kvs.consulta(key("chave1")));
  }

  @Test
  void removeOfAllVersionsAndNeverReusedVersions() {
    kvs.insere(kv("chave1", "valor1"));
    kvs.insere(kv("chave1", "valor2"));
    assertEquals(0, kvs.remove(key("chave1")).getVersao());
    assertEquals(-1, kvs.remove(key("chave1")).getVersao());
    assertEquals(-1, kvs.remove(key("chave1", 0)).getVersao());
    assertEquals(-1, kvs.remove(key("chave1", -3)).getVersao());
    assertEquals(Tupla.getDefaultInstance(), kvs.consulta(key("chave1")));
    assertEquals(3, kvs.insere(kv("chave1", "valor3")).getVersao());
    assertEquals(0, kvs.remove(key("chave1", -1)).getVersao());
  }

  @Test
  void snapshotInKeyOrderAtVersion() {
    kvs.insere(kv("chave99", "valor111"));
    kvs.insere(kv("chave1", "valor1"));
    kvs.insere(kv("chave1", "valor2"));
    kvs.insere(kv("chave-aaa", "valor-aaa"));
    assertEquals(
        List.of(
            tupla("chave-aaa", "valor-aaa", 1),
            tupla("chave1", "valor2", 2),
            tupla("chave99", "valor111", 1)),
        list(kvs.snapshot(versao(0))));
    assertEquals(
        List.of(
            tupla("chave-aaa", "valor-aaa", 1),
            tupla("chave1", "valor1", 1),
            tupla("chave99", "valor111", 1)),
        list(kvs.snapshot(versao(1))));
    assertEquals(list(kvs.snapshot(versao(0))), list(kvs.snapshot(versao(-5))));
  }

  @Test
  void snapshotWithNothingAnswersOneBlankTupla() {
    assertEquals(List.of(Tupla.getDefaultInstance()), list(kvs.snapshot(versao(0))));
    kvs.insere(kv("chave1", "valor1"));
    kvs.remove(key("chave1", 1));
    kvs.insere(kv("chave1", "valor2"));
    assertEquals(List.of(Tupla.getDefaultInstance()), list(kvs.snapshot(versao(1))));
  }

  @Test
  void insereVariasAnswersEachInOrderAndGoesOnAfterABadItem() throws Exception {
    List<ChaveValor> requests = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      requests.add(kv("key" + (i % 7), "value" + i));
    }
    requests.set(50, kv("no", "value"));
    List<Versao> replies = stream(requests, (stub, out) -> stub.insereVarias(out));
    int[] next = new int[7];
    for (int i = 0; i < 200; i++) {
      int expected = i == 50 ? -1 : ++next[i % 7];
      assertEquals(expected, replies.get(i).getVersao(), "reply " + i);
    }
  }

  @Test
  void consultaVariasAnswersEachInOrder() throws Exception {
    kvs.insere(kv("chave1", "valor1"));
    kvs.insere(kv("chave1", "valor2"));
    List<Tupla> replies =
        stream(
            List.of(key("chave1", 1), key("nokey", 0), key("ab"), key("chave1")),
            (stub, out) -> stub.consultaVarias(out));
    assertEquals(
        List.of(
            tupla("chave1", "valor1", 1),
            Tupla.getDefaultInstance(),
            Tupla.getDefaultInstance(),
            tupla("chave1", "valor2", 2)),
        replies);
  }

  @Test
  void removeVariasAnswersEachInOrder() throws Exception {
    kvs.insere(kv("chave1", "valor1"));
    kvs.insere(kv("chave1", "valor2"));
    kvs.insere(kv("chave2", "valor1"));
    List<Versao> replies =
        stream(
            List.of(
                key("chave1", 2), key("chave1", 2), key("ab", 1), key("chave2", 0), key("chave1")),
            (stub, out) -> stub.removeVarias(out));
    assertEquals(List.of(versao(2), versao(-1), versao(-1), versao(0), versao(0)), replies);
  }

  @Test
  void emptyStreamsCompleteWithNoReplies() throws Exception {
    List<Versao> replies = stream(List.<ChaveValor>of(), (stub, out) -> stub.insereVarias(out));
    assertEquals(List.of(), replies);
  }

  private static <T> List<T> list(Iterator<T> iterator) {
    List<T> list = new ArrayList<>();
    iterator.forEachRemaining(list::add);
    return list;
  }

  private <Q, A> List<A> stream(List<Q> requests, BidiCalls.Call<Q, A> call) throws Exception {
    return BidiCalls.exchange(cluster.async(0), requests, call);
  }
}
