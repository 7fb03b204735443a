package kvs.core.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import kvs.core.VersionedStore;
import org.junit.jupiter.api.Test;

class RecentHistoryTest {
  private final StateMachine machine = new StateMachine(new VersionedStore());

  private void apply(RecentHistory history, long seq, String... keys) {
    List<Operation> ops =
        java.util.Arrays.stream(keys).<Operation>map(k -> new Operation.Put(k, "value")).toList();
    ReplicationMessage entry = new ReplicationMessage("w", "run-w", seq, ops);
    machine.apply(entry);
    history.record(machine.mark(), machine.store().digest(), entry);
  }

  @Test
  void aSharedPointGivesTheKeysWrittenSince() {
    RecentHistory history = new RecentHistory(100, 1000);
    history.restartAt(machine.mark(), machine.store().digest());
    apply(history, 1, "key1");
    StateRequest.Point shared = new StateRequest.Point(1, machine.stateDigest());
    apply(history, 2, "key2", "key3");
    apply(history, 3, "key2");

    RecentHistory.Shared found =
        history.sharedPoint(List.of(shared, new StateRequest.Point(2, 12345))).orElseThrow();

    assertEquals(1, found.mark().position());
    assertEquals(Set.of("key2", "key3"), found.keysWritten());
    assertTrue(
        history.sharedPoint(List.of(new StateRequest.Point(1, shared.stateDigest() + 1))).isEmpty(),
        "another state there");
    assertEquals(machine.store().digest(), history.storeDigestAt(3).getAsLong());
  }

  @Test
  void pointsAreDenseAtFirstThenTwiceAsFarApartDownToTheOldestHeld() {
    RecentHistory history = new RecentHistory(1000, 100_000);
    history.restartAt(machine.mark(), machine.store().digest());
    for (int i = 1; i <= 500; i++) {
      apply(history, i, "key" + i);
    }
    List<Long> positions = history.points().stream().map(StateRequest.Point::position).toList();

    assertEquals(500, positions.get(0));
    assertEquals(485, positions.get(RecentHistory.DENSE_POINTS - 1));
    assertEquals(483, positions.get(RecentHistory.DENSE_POINTS)); // then 2, 4, 8... apart
    assertEquals(479, positions.get(RecentHistory.DENSE_POINTS + 1));
    assertEquals(471, positions.get(RecentHistory.DENSE_POINTS + 2));
    assertTrue(positions.get(positions.size() - 1) >= 0);
  }

  @Test
  void onlyPositionsWhoseKeysSinceAreHeldCanBeShared() {
    RecentHistory history = new RecentHistory(100, 3); // the keys of three operations
    history.restartAt(machine.mark(), machine.store().digest());
    StateRequest.Point start = new StateRequest.Point(0, machine.stateDigest());
    apply(history, 1, "key1", "key2");
    StateRequest.Point one = new StateRequest.Point(1, machine.stateDigest());
    apply(history, 2, "key3", "key4"); // pushes out the keys of entry 1

    assertTrue(history.sharedPoint(List.of(start)).isEmpty(), "entry 1's keys are gone");
    assertEquals(
        Set.of("key3", "key4"), history.sharedPoint(List.of(one)).orElseThrow().keysWritten());
    assertEquals(
        List.of(2L, 1L, 0L),
        history.points().stream().map(StateRequest.Point::position).toList(),
        "ours to name");
  }

  @Test
  void theOldestPositionsLeaveTheRing() {
    RecentHistory history = new RecentHistory(4, 1000);
    history.restartAt(machine.mark(), machine.store().digest());
    for (int i = 1; i <= 10; i++) {
      apply(history, i, "key" + i);
    }
    assertTrue(history.markAt(6).isEmpty());
    assertEquals(7, history.markAt(7).orElseThrow().position());
    assertEquals(
        List.of(10L, 9L, 8L, 7L),
        history.points().stream().map(StateRequest.Point::position).toList());
  }
}
