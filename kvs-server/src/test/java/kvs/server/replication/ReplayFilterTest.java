package kvs.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import kvs.core.replication.Heartbeat;
import kvs.core.replication.Operation;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.StateRequest;
import kvs.server.state.Replica;
import org.junit.jupiter.api.Test;

class ReplayFilterTest {
  private final Replica replica = new Replica();
  private final ReplayFilter filter = new ReplayFilter(replica);

  private static ReplicationMessage entry(String run, long sequence) {
    return new ReplicationMessage("s1", run, sequence, List.of(new Operation.Put("key", "value")));
  }

  private static Heartbeat heartbeat(String run, long position) {
    return new Heartbeat("s1", run, 9000, position, 0, 0, true);
  }

  @Test
  void aWritesEntryIsReplayedOnceItsSequenceWasApplied() {
    assertEquals(Optional.empty(), filter.replayed(entry("r1", 1)));
    replica.apply(entry("r1", 1));
    assertEquals(
        Optional.of("replayed: writes entry #1 was applied before"),
        filter.replayed(entry("r1", 1)));
    assertEquals(Optional.empty(), filter.replayed(entry("r1", 2)));
    assertEquals(Optional.empty(), filter.replayed(entry("r2", 1)), "another run of s1");
  }

  @Test
  void aHeartbeatIsReplayedWhenItReportsLessThanItsRunDidOrItsRunHasEnded() {
    assertEquals(Optional.empty(), filter.replayed(heartbeat("r1", 10)));
    assertEquals(Optional.empty(), filter.replayed(heartbeat("r1", 10)), "idle: the same again");
    assertEquals(Optional.empty(), filter.replayed(heartbeat("r1", 12)));
    assertEquals(
        Optional.of("replayed: a heartbeat at position 11 after one at 12"),
        filter.replayed(heartbeat("r1", 11)));

    assertEquals(Optional.empty(), filter.replayed(heartbeat("r2", 0)), "s1 restarted");
    assertTrue(filter.replayed(heartbeat("r1", 12)).orElseThrow().contains("which has ended"));
    assertEquals(Optional.empty(), filter.replayed(heartbeat("r2", 1)));
  }

  @Test
  void aStateRequestIsReplayedWhenItsIdWasSeen() {
    StateRequest request = new StateRequest("s2", "r", "request-1", "kvs/replication/state/s2");
    assertEquals(Optional.empty(), filter.replayed(request));
    assertEquals(
        Optional.of("replayed: state request request-1 was seen before"), filter.replayed(request));
    assertEquals(
        Optional.empty(),
        filter.replayed(new StateRequest("s2", "r", "request-2", "kvs/replication/state/s2")));
  }
}
