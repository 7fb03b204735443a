package kvs.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * When the cluster starts and when it is closed, for both forms of registration: the test classes
 * below run through the JUnit test kit (Failsafe does not pick up inner classes) and record what
 * they saw, so that this test can check what is left once they are done.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LifecycleIT {
  /** What one test saw. */
  record Seen(String test, String topic, int brokerPort, List<Integer> ports) {}

  static final List<Seen> seen = new CopyOnWriteArrayList<>();

  static Seen see(String test, KvsClusterExtension cluster) {
    List<Integer> ports =
        java.util.stream.IntStream.range(0, cluster.size()).mapToObj(cluster::port).toList();
    return new Seen(test, cluster.topic(), cluster.broker().port(), ports);
  }

  @BeforeEach
  void clear() {
    seen.clear();
  }

  @Test
  void staticFieldSharesOneClusterAcrossTestsAndClosesItAfterTheClass() {
    Events tests = run(StaticForm.class);
    tests.assertStatistics(stats -> stats.started(3).succeeded(3));

    assertEquals(3, seen.size());
    assertEquals(1, seen.stream().map(Seen::topic).distinct().count(), "one cluster: " + seen);
    assertThrows(
        IllegalStateException.class, StaticForm.cluster::targets, "closed after the class");
    assertClosed(seen.get(0));
  }

  @Test
  void instanceFieldGivesEachTestAFreshClusterAndClosesItAfterTheTest() {
    Events tests = run(InstanceForm.class);
    tests.assertStatistics(stats -> stats.started(2).succeeded(2));

    assertEquals(2, seen.size());
    assertNotEquals(seen.get(0).topic(), seen.get(1).topic(), "a cluster per test: " + seen);
    seen.forEach(LifecycleIT::assertClosed);
  }

  private static Events run(Class<?> testClass) {
    return EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(testClass))
        .execute()
        .testEvents();
  }

  private static void assertClosed(Seen seen) {
    assertFalse(Clients.accepts(seen.brokerPort()), "broker stopped: " + seen);
    seen.ports()
        .forEach(
            port -> assertFalse(Clients.accepts(port), "server on " + port + " stopped: " + seen));
  }

  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class StaticForm {
    @RegisterExtension
    static final KvsClusterExtension cluster = KvsClusterExtension.withServers(2);

    @Test
    @Order(1)
    void writes() {
      seen.add(see("writes", cluster));
      try (Clients client = new Clients(cluster.port(0))) {
        client.insere("shared", "kept");
      }
      cluster.awaitConverged();
    }

    @Test
    @Order(2)
    void readsWhatTheFirstTestWrote() {
      seen.add(see("reads", cluster));
      try (Clients client = new Clients(cluster.port(1))) {
        assertEquals("kept", client.consulta("shared").getValor());
      }
    }

    @Nested
    class Inner {
      @Test
      void sharesIt() {
        seen.add(see("nested", cluster));
        assertTrue(cluster.isRunning(1));
      }
    }
  }

  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class InstanceForm {
    @RegisterExtension final KvsClusterExtension cluster = KvsClusterExtension.withServers(2);

    @Test
    @Order(1)
    void writes() {
      seen.add(see("writes", cluster));
      try (Clients client = new Clients(cluster.port(0))) {
        client.insere("per-test", "gone");
      }
    }

    @Test
    @Order(2)
    void startsEmpty() {
      seen.add(see("starts-empty", cluster));
      assertTrue(Clients.accepts(cluster.port(0)));
      try (Clients client = new Clients(cluster.port(1))) {
        assertEquals("", client.consulta("per-test").getValor(), "a fresh cluster has no data");
      }
    }
  }
}
