package kvs.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static kvs.server.KvsServiceIT.key;
import static kvs.server.KvsServiceIT.kv;
import static kvs.server.KvsServiceIT.versao;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import kvs.proto.Tupla;
import kvs.server.testing.RawMqttClient;
import kvs.testing.Eventually;
import kvs.testing.MosquittoBroker;
import kvs.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Three real servers replicating through a real Mosquitto. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplicationIT {
  private MosquittoBroker broker;
  private TestCluster cluster;

  @BeforeEach
  void start() {
    broker = MosquittoBroker.start();
    cluster = TestCluster.start(broker, 3);
  }

  @AfterEach
  void stop() {
    cluster.close();
    broker.close();
  }

  @Test
  void aWriteOnOneServerShowsOnTheOthers() {
    assertEquals(1, cluster.blocking(0).insere(kv("chave1", "valor1")).getVersao());
    for (int i = 1; i < 3; i++) {
      int server = i;
      Eventually.await(
          Duration.ofSeconds(5),
          "chave1 on server " + server,
          () -> cluster.blocking(server).consulta(key("chave1")).getVersao() == 1);
    }
    assertEquals(0, cluster.blocking(2).remove(key("chave1")).getVersao());
    Eventually.await(
        Duration.ofSeconds(5),
        "chave1 removed on server 0",
        () -> cluster.blocking(0).consulta(key("chave1")).equals(Tupla.getDefaultInstance()));
  }

  @Test
  void concurrentWritersOfOneKeyOnThreeServersAgreeOnOneHistory() throws Exception {
    int perWriter = 100;
    ExecutorService writers = Executors.newFixedThreadPool(3);
    List<Future<Map<Integer, String>>> answers = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      int writer = w;
      answers.add(
          writers.submit(
              () -> {
                Map<Integer, String> told = new HashMap<>();
                for (int n = 0; n < perWriter; n++) {
                  String value = "writer" + writer + "-" + n;
                  told.put(
                      cluster.blocking(writer).insere(kv("contended", value)).getVersao(), value);
                }
                return told;
              }));
    }
    Map<Integer, String> told = new HashMap<>();
    for (Future<Map<Integer, String>> answer : answers) {
      Map<Integer, String> one = answer.get(60, TimeUnit.SECONDS);
      assertEquals(perWriter, one.size(), "each writer got distinct versions");
      one.forEach(
          (version, value) ->
              assertEquals(null, told.put(version, value), "version " + version + " given twice"));
    }
    writers.shutdown();
    assertEquals(
        IntStream.rangeClosed(1, 300).boxed().toList(),
        new ArrayList<>(new java.util.TreeSet<>(told.keySet())));

    cluster.awaitConverged();
    List<List<Tupla>> histories = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      List<Tupla> history = new ArrayList<>();
      for (int version = 1; version <= 300; version++) {
        history.add(cluster.blocking(s).consulta(key("contended", version)));
      }
      histories.add(history);
    }
    assertEquals(histories.get(0), histories.get(1));
    assertEquals(histories.get(0), histories.get(2));
    for (Tupla entry : histories.get(0)) {
      assertEquals(told.get(entry.getVersao()), entry.getValor(), "the value its writer was told");
    }
  }

  @Test
  void malformedMessagesAreSkippedAndCountedAndChangeNothing() {
    cluster.blocking(0).insere(kv("chave1", "valor1"));
    cluster.awaitConverged();
    List<Tupla> before = snapshot(1);
    List<String> junk =
        List.of(
            "not json",
            "{}",
            "{\"format\":99,\"origin\":\"intruder\",\"run\":\"r\",\"seq\":1,\"ops\":[]}",
            "{\"format\":1,\"origin\":\"intruder\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"put\",\"key\":\"chave1\"}]}",
            "{\"format\":1,\"origin\":\"intruder\",\"run\":\"r\",\"seq\":2,\"ops\":[{\"op\":\"put\",\"key\":\"chave2\",\"value\":\"v\"},7]}");
    try (RawMqttClient raw = new RawMqttClient(broker)) {
      junk.forEach(payload -> raw.publish(cluster.topic(), payload.getBytes(UTF_8)));
      raw.publish(cluster.topic(), new byte[] {(byte) 0xff, 0, 1});
    }
    for (int s = 0; s < 3; s++) {
      KvsServer server = cluster.server(s);
      Eventually.await(
          Duration.ofSeconds(5), "6 skipped on server " + s, () -> server.skippedMessages() == 6);
    }
    assertEquals(before, snapshot(1));
    assertEquals(
        2, cluster.blocking(2).insere(kv("chave1", "valor2")).getVersao(), "still serving writes");
  }

  @Test
  void aRedeliveredMessageIsAppliedOnce() {
    byte[] message =
        "{\"format\":1,\"origin\":\"other\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"put\",\"key\":\"dupkey\",\"value\":\"once\"}]}"
            .getBytes(UTF_8);
    byte[] marker =
        "{\"format\":1,\"origin\":\"other\",\"run\":\"r\",\"seq\":2,\"ops\":[{\"op\":\"put\",\"key\":\"marker\",\"value\":\"done\"}]}"
            .getBytes(UTF_8);
    try (RawMqttClient raw = new RawMqttClient(broker)) {
      raw.publish(cluster.topic(), message);
      raw.publish(cluster.topic(), message);
      raw.publish(cluster.topic(), marker);
    }
    for (int s = 0; s < 3; s++) {
      int server = s;
      Eventually.await(
          Duration.ofSeconds(5),
          "marker on server " + s,
          () -> cluster.blocking(server).consulta(key("marker")).getVersao() == 1);
      assertEquals(
          KvsServiceIT.tupla("dupkey", "once", 1), cluster.blocking(s).consulta(key("dupkey")));
      assertEquals(2, cluster.server(s).replica().position(), "the duplicate is no stream entry");
    }
  }

  @Test
  void insereVariasGoesOutInBatchesWithOneReplyPerItemInOrder() throws Exception {
    int items = 500;
    List<kvs.proto.ChaveValor> requests = new ArrayList<>();
    for (int n = 0; n < items; n++) {
      requests.add(kv("batched", "value" + n));
    }
    try (RawMqttClient observer = new RawMqttClient(broker).subscribe(cluster.topic())) {
      List<kvs.proto.Versao> replies =
          kvs.server.testing.BidiCalls.exchange(
              cluster.async(0), requests, kvs.proto.KVSGrpc.KVSStub::insereVarias);
      assertEquals(
          IntStream.rangeClosed(1, items).mapToObj(KvsServiceIT::versao).toList(), replies);
      cluster.awaitConverged();
      int messages = observer.received().size();
      assertTrue(messages < items, items + " writes went out in " + messages + " messages");
    }
    for (int s = 0; s < 3; s++) {
      assertEquals(
          KvsServiceIT.tupla("batched", "value123", 124),
          cluster.blocking(s).consulta(key("batched", 124)));
    }
  }

  private List<Tupla> snapshot(int server) {
    List<Tupla> entries = new ArrayList<>();
    cluster.blocking(server).snapshot(versao(0)).forEachRemaining(entries::add);
    return Collections.unmodifiableList(entries);
  }
}
