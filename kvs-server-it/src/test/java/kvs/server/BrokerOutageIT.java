package kvs.server;

import static kvs.server.KvsServiceIT.key;
import static kvs.server.KvsServiceIT.kv;
import static kvs.server.KvsServiceIT.tupla;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import kvs.testing.Eventually;
import kvs.testing.MosquittoBroker;
import kvs.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker goes away and comes back: reads go on, writes answer -1 in bounded time, then work
 * again.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BrokerOutageIT {

  @Test
  void writesAnswerMinusOneWhileTheBrokerIsDownAndWorkAgainWithoutRestart() {
    try (MosquittoBroker broker = MosquittoBroker.start();
        TestCluster cluster = TestCluster.start(broker, 2)) {
      assertEquals(1, cluster.blocking(0).insere(kv("chave1", "valor1")).getVersao());
      cluster.awaitConverged();

      broker.stop();
      for (int s = 0; s < 2; s++) {
        KvsServer server = cluster.server(s);
        Eventually.await(
            Duration.ofSeconds(10),
            "server " + s + " notices the broker is gone",
            () -> !server.isBrokerConnected());
      }
      long started = System.nanoTime();
      assertEquals(-1, cluster.blocking(0).insere(kv("chave1", "valor2")).getVersao());
      assertEquals(-1, cluster.blocking(1).remove(key("chave1", 1)).getVersao());
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertTrue(
          elapsedMs < TestCluster.WRITE_TIMEOUT.toMillis() + 1000,
          "answered in bounded time: " + elapsedMs + " ms");
      assertEquals(
          tupla("chave1", "valor1", 1),
          cluster.blocking(1).consulta(key("chave1")),
          "reads are served");

      broker.restart();
      for (int s = 0; s < 2; s++) {
        KvsServer server = cluster.server(s);
        Eventually.await(
            Duration.ofSeconds(20),
            "server " + s + " reconnects by itself",
            server::isBrokerConnected);
        // The restarted broker lost every session: each server re-synchronizes before serving.
        Eventually.await(
            Duration.ofSeconds(20), "server " + s + " caught up again", server::isCaughtUp);
      }
      assertEquals(
          2,
          cluster.blocking(1).insere(kv("chave1", "valor2")).getVersao(),
          "the failed writes left no trace");
      Eventually.await(
          Duration.ofSeconds(5),
          "the new write replicated",
          () -> {
            try {
              return cluster
                  .blocking(0)
                  .consulta(key("chave1"))
                  .equals(tupla("chave1", "valor2", 2));
            } catch (io.grpc.StatusRuntimeException catchingUp) {
              return false; // a heartbeat may still make it re-sync once
            }
          });
    }
  }

  @Test
  void aServerStartsWithNoBrokerAndServesOnceItCanCatchUp() throws Exception {
    MosquittoBroker broker = MosquittoBroker.start();
    broker.stop();
    KvsServer server =
        KvsServer.builder(
                TestCluster.config("lonely", broker.uri(), "t")
                    .mqttClientId("kvs-no-broker")
                    .build())
            .grpc(InProcessServerBuilder.forName("no-broker-" + System.nanoTime()))
            .build();
    try {
      server.start();
      assertEquals(false, server.isBrokerConnected());
      assertEquals(false, server.isCaughtUp(), "cannot catch up without a broker");
      broker.restart();
      Eventually.await(
          Duration.ofSeconds(20), "connects once the broker is up", server::isBrokerConnected);
      Eventually.await(Duration.ofSeconds(20), "catches up (alone) and serves", server::isCaughtUp);
    } finally {
      server.stop(Duration.ofSeconds(1));
      broker.close();
    }
  }

  @Test
  void writesWorkAgainAfterThePublishingConnectionIsCutOff() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.start()) {
      String name = "cut-" + System.nanoTime();
      KvsServer server =
          KvsServer.builder(
                  TestCluster.config(name, broker.uri(), "t-" + name)
                      .mqttClientId("kvs-" + name)
                      .build())
              .grpc(InProcessServerBuilder.forName(name))
              .build();
      io.grpc.ManagedChannel channel =
          io.grpc.inprocess.InProcessChannelBuilder.forName(name).build();
      try {
        server.start();
        Eventually.await(Duration.ofSeconds(20), "caught up", server::isCaughtUp);
        kvs.proto.KVSGrpc.KVSBlockingStub stub = kvs.proto.KVSGrpc.newBlockingStub(channel);
        assertEquals(1, stub.insere(kv("chave1", "valor1")).getVersao());

        // Another client taking the publishing connection's id makes the broker drop it.
        com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient intruder =
            com.hivemq.client.mqtt.mqtt5.Mqtt5Client.builder()
                .identifier("kvs-" + name + "-pub")
                .serverHost("127.0.0.1")
                .serverPort(java.net.URI.create(broker.uri()).getPort())
                .buildBlocking();
        intruder.connect();
        intruder.disconnect();

        Eventually.await(
            Duration.ofSeconds(10),
            "a write succeeds again once the publishing connection is back",
            () -> stub.insere(kv("chave2", "valor2")).getVersao() >= 1);
        assertEquals(tupla("chave1", "valor1", 1), stub.consulta(key("chave1")));
        assertTrue(server.isBrokerConnected());
      } finally {
        channel.shutdownNow();
        server.stop(Duration.ofSeconds(1));
      }
    }
  }
}
