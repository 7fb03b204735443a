package kvs.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import kvs.proto.Tupla;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension on a static field: one three-server cluster for the whole class. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KvsClusterExtensionIT {
  @RegisterExtension static final KvsClusterExtension cluster = KvsClusterExtension.withServers(3);

  @Test
  void startsThreeServersOnTheirOwnPortsAndListsThemAll() {
    assertEquals(3, cluster.size());
    assertEquals(
        "127.0.0.1:"
            + cluster.port(0)
            + ",127.0.0.1:"
            + cluster.port(1)
            + ",127.0.0.1:"
            + cluster.port(2),
        cluster.targets());
    for (int i = 0; i < 3; i++) {
      assertTrue(cluster.isRunning(i));
      assertTrue(cluster.server(i).isCaughtUp(), "server " + i + " caught up before the test");
      assertTrue(
          cluster.server(i).isBrokerConnected(), "server " + i + " connected before the test");
      assertEquals(cluster.port(i), cluster.server(i).port());
    }
    assertEquals(3, java.util.Set.of(cluster.port(0), cluster.port(1), cluster.port(2)).size());
  }

  @Test
  void serversReplicate() {
    try (Clients first = new Clients(cluster.port(0));
        Clients third = new Clients(cluster.port(2))) {
      int version = first.insere("replicated", "value");
      assertTrue(version >= 1);
      Eventually.await(
          Duration.ofSeconds(10),
          "server 2 to see the write made on server 0",
          () -> third.consulta("replicated").getValor().equals("value"));
      assertEquals(version, third.consulta("replicated").getVersao());
      cluster.awaitConverged();
      try (Clients second = new Clients(cluster.port(1))) {
        assertEquals("value", second.consulta("replicated").getValor());
      }
    }
  }

  @Test
  void aStoppedServerRefusesConnectionsWhileTheOthersServe() {
    int port = cluster.port(1);
    cluster.stopServer(1);
    try {
      assertFalse(cluster.isRunning(1));
      assertFalse(Clients.accepts(port), "port of the stopped server refuses connections");
      assertThrows(IllegalStateException.class, () -> cluster.server(1));
      try (Clients stopped = new Clients(port)) {
        StatusRuntimeException e =
            assertThrows(StatusRuntimeException.class, () -> stopped.insere("key", "value"));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      }
      assertTrue(
          cluster.targets().contains("127.0.0.1:" + port),
          "targets() still lists the stopped server");

      try (Clients first = new Clients(cluster.port(0));
          Clients third = new Clients(cluster.port(2))) {
        first.insere("during-outage", "still-served");
        cluster.awaitConverged(); // only the running servers
        assertEquals("still-served", third.consulta("during-outage").getValor());
      }
    } finally {
      cluster.startServer(1);
    }

    // Back on the same port, with what was written while it was down.
    assertTrue(cluster.isRunning(1));
    assertEquals(port, cluster.port(1));
    assertTrue(Clients.accepts(port));
    try (Clients second = new Clients(port)) {
      Tupla tupla = second.consulta("during-outage");
      assertEquals("still-served", tupla.getValor());
    }
    assertThrows(IllegalStateException.class, () -> cluster.startServer(1), "already running");
  }

  /** A @Nested class shares the outer class's cluster; it is not started again. */
  @Nested
  class InANestedClass {
    @Test
    void seesTheSameCluster() {
      assertTrue(cluster.isRunning(0));
      try (Clients first = new Clients(cluster.port(0))) {
        first.insere("from-nested", "nested-value");
      }
      cluster.awaitConverged();
      try (Clients third = new Clients(cluster.port(2))) {
        assertEquals("nested-value", third.consulta("from-nested").getValor());
      }
    }
  }
}
