package kvs.server;

import static kvs.server.KvsServiceIT.kv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import kvs.core.replication.Heartbeat;
import kvs.core.replication.MessageAuthentication;
import kvs.core.replication.MessageCodec;
import kvs.core.replication.Operation;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.StateRequest;
import kvs.proto.ChaveVersao;
import kvs.server.testing.RawMqttClient;
import kvs.testing.Eventually;
import kvs.testing.MosquittoBroker;
import kvs.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Servers with a cluster key against someone who can publish on the broker: forged, unsigned,
 * re-signed and replayed messages change nothing on any server, and every server counts them.
 */
@Timeout(120)
class SignedReplicationIT {
  private static final MessageAuthentication KEYS =
      MessageAuthentication.fromKeyFile("0123456789abcdef0123456789abcdef-cluster\n");
  private static final MessageAuthentication OTHER_KEY =
      MessageAuthentication.fromKeyFile("another-key-of-at-least-32-bytes-0000000\n");
  private final MessageCodec codec = new MessageCodec();

  private byte[] forgedWrite(String origin, long sequence) {
    return codec.encode(
        new ReplicationMessage(
            origin,
            "attack",
            sequence,
            List.of(new Operation.Put("chave-a", "hacked"), Operation.Remove.all("chave-b"))));
  }

  @Test
  void forgedUnsignedReSignedAndReplayedMessagesChangeNothingAndAreCounted() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.start();
        TestCluster cluster = TestCluster.start(broker, 3, b -> b.clusterKeys(KEYS));
        RawMqttClient attacker = new RawMqttClient(broker)) {
      String topic = cluster.topic();
      attacker.subscribe(topic);
      assertEquals(1, cluster.blocking(0).insere(kv("chave-a", "valor-a")).getVersao());
      assertEquals(1, cluster.blocking(1).insere(kv("chave-b", "valor-b")).getVersao());
      cluster.awaitConverged();

      // A message the attacker recorded: the signed writes entry that carried chave-b.
      List<byte[]> recorded = new CopyOnWriteArrayList<>();
      Eventually.await(
          Duration.ofSeconds(10),
          "the attacker recorded chave-b's entry",
          () -> {
            attacker.received().stream()
                .filter(p -> new String(p, StandardCharsets.UTF_8).contains("valor-b"))
                .findFirst()
                .ifPresent(recorded::add);
            return !recorded.isEmpty();
          });
      long digest = cluster.server(0).replica().digest();
      long position = cluster.server(0).replica().position();

      byte[] unsigned = forgedWrite("server-0", 99);
      byte[] otherKey = OTHER_KEY.seal(topic, forgedWrite("evil", 1));
      byte[] badMac = KEYS.seal(topic, forgedWrite("evil", 2));
      badMac[20] = (byte) (badMac[20] == 'a' ? 'b' : 'a');
      byte[] movedTopic = KEYS.seal(topic + "/elsewhere", forgedWrite("evil", 3));
      byte[] heartbeat =
          codec.encode(new Heartbeat("evil", "attack", 9000, 1_000_000, 42, 0, true));
      byte[] stateRequest =
          codec.encode(new StateRequest("evil", "attack", "req-1", topic + "/state/evil"));
      for (byte[] message :
          List.of(
              unsigned, otherKey, badMac, movedTopic, heartbeat, stateRequest, recorded.get(0))) {
        attacker.publish(topic, message);
      }
      for (int i = 0; i < cluster.size(); i++) {
        KvsServer server = cluster.server(i);
        int expected = 7;
        Eventually.await(
            Duration.ofSeconds(10),
            server.serverId() + " rejected " + expected,
            () -> server.rejectedMessages() >= expected);
        assertEquals(expected, server.rejectedMessages(), server.serverId());
        assertEquals(digest, server.replica().digest(), server.serverId() + " digest");
        assertEquals(position, server.replica().position(), server.serverId() + " position");
        assertEquals(
            "valor-a",
            cluster
                .blocking(i)
                .consulta(ChaveVersao.newBuilder().setChave("chave-a").build())
                .getValor());
        assertEquals(
            "valor-b",
            cluster
                .blocking(i)
                .consulta(ChaveVersao.newBuilder().setChave("chave-b").build())
                .getValor());
        assertTrue(server.isCaughtUp(), "no re-sync was provoked");
        assertEquals(0, server.resyncs(), server.serverId() + " re-syncs");
      }

      // The cluster goes on: a real write is signed, replicated and agreed on.
      assertEquals(2, cluster.blocking(2).insere(kv("chave-a", "valor-a2")).getVersao());
      cluster.awaitConverged();
    }
  }

  @Test
  void aServerWithoutTheKeyIsRejectedByThoseWithIt() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.start();
        TestCluster cluster = TestCluster.start(broker, 2, b -> b.clusterKeys(KEYS));
        RawMqttClient keyless = new RawMqttClient(broker)) {
      // What a server without --cluster-key-file publishes: plain messages.
      keyless.publish(cluster.topic(), forgedWrite("keyless", 1));
      for (int i = 0; i < cluster.size(); i++) {
        KvsServer server = cluster.server(i);
        Eventually.await(
            Duration.ofSeconds(10),
            "rejected by " + server.serverId(),
            () -> server.rejectedMessages() >= 1);
        assertEquals(
            "",
            cluster
                .blocking(i)
                .consulta(ChaveVersao.newBuilder().setChave("chave-a").build())
                .getValor());
      }
    }
  }
}
