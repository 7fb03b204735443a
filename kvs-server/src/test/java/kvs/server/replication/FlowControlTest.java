package kvs.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import kvs.core.replication.Heartbeat;
import kvs.core.replication.Operation;
import kvs.core.replication.Presence;
import kvs.core.replication.ReplicationMessage;
import kvs.server.state.Replica;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When this server holds its next message for a slow peer: only for a live, caught-up peer that
 * spoke within {@link FlowControl#SILENT} and whose last heartbeat trails us by more than {@link
 * FlowControl#MAX_LAG}.
 */
class FlowControlTest {
  private static final long OURS = FlowControl.MAX_LAG + 100;

  private final Replica replica = new Replica();
  private final ManualTime time = new ManualTime();
  private final PeerTable peers = new PeerTable(time);
  private final Membership membership = new Membership();
  private final FlowControl flow = new FlowControl("self", replica, peers, membership);

  @BeforeEach
  void advanceOurReplica() {
    for (long sequence = 1; sequence <= OURS; sequence++) {
      replica.apply(
          new ReplicationMessage(
              "writer", "run-w", sequence, List.of(new Operation.Put("k", "v" + sequence))));
    }
    assertEquals(OURS, replica.position());
  }

  @Test
  void withNoPeersWePublish() {
    assertTrue(flow.mayPublish());
  }

  @Test
  void aLiveCaughtUpPeerTrailingByMoreThanMaxLagHoldsUs() {
    live("slow");
    heard("slow", OURS - FlowControl.MAX_LAG - 1, true);
    assertFalse(flow.mayPublish());
  }

  @Test
  void aPeerExactlyMaxLagBehindOrCloserDoesNot() {
    live("close");
    heard("close", OURS - FlowControl.MAX_LAG, true);
    assertTrue(flow.mayPublish());
    heard("close", OURS, true);
    assertTrue(flow.mayPublish());
  }

  @Test
  void aTrailingPeerThatIsNotLiveDoesNot() {
    heard("gone", 0, true);
    assertTrue(flow.mayPublish(), "never present");

    live("gone");
    assertFalse(flow.mayPublish());
    membership.update(
        "gone", Optional.empty()); // its presence was cleared (left, or its Last Will)
    assertTrue(flow.mayPublish());
  }

  @Test
  void aTrailingPeerThatIsCatchingUpDoesNot() {
    live("joiner");
    heard("joiner", 0, false);
    assertTrue(flow.mayPublish());
  }

  @Test
  void ourOwnHeartbeatDoesNot() {
    live("self");
    heard("self", 0, true);
    assertTrue(flow.mayPublish());
  }

  @Test
  void oneSlowPeerAmongFastOnesHoldsUsAndItsCatchingUpReleasesUs() {
    live("fast");
    live("slow");
    heard("fast", OURS, true);
    heard("slow", 10, true);
    assertFalse(flow.mayPublish());
    heard("slow", OURS - 50, true);
    assertTrue(flow.mayPublish());
  }

  @Test
  void aTrailingPeerSilentForLongerThanSilentNoLongerHoldsUs() {
    live("hung");
    heard("hung", 0, true);

    time.advance(FlowControl.SILENT.minusMillis(1));
    assertFalse(flow.mayPublish(), "still within SILENT");
    time.advance(Duration.ofMillis(1));
    assertTrue(flow.mayPublish(), "left out once SILENT has passed");

    heard("hung", 0, true); // it speaks again, still behind
    assertFalse(flow.mayPublish());
  }

  private void live(String id) {
    membership.update(id, Optional.of(new Presence(id, "run-" + id, 0)));
  }

  private void heard(String id, long position, boolean caughtUp) {
    peers.record(new Heartbeat(id, "run-" + id, 0, position, 0, 0, caughtUp));
  }
}
