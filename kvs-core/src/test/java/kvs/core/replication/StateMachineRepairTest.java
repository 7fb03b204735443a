package kvs.core.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import kvs.core.VersionedStore;
import org.junit.jupiter.api.Test;

/**
 * A server that missed some of the stream repairs itself from a peer's changes since a point they
 * shared, and ends in exactly the peer's state, although it applied what it did get in another
 * order relative to what it missed (versions of the same key included).
 */
class StateMachineRepairTest {
  private static final long T0 = 1_700_000_000_000L;

  private static ReplicationMessage write(String origin, long seq, long ts, Operation... ops) {
    return new ReplicationMessage(origin, "run-" + origin, seq, List.of(ops), ts);
  }

  private static Operation.Put put(String key, String value, String requestId) {
    return new Operation.Put(key, value, Optional.of(requestId));
  }

  /** The stream both see: a shared beginning, then writes of a and b that touch the same keys. */
  private static final List<ReplicationMessage> SHARED =
      List.of(
          write("a", 1, T0, put("chave1", "val-a1", "r-a1")),
          write("b", 1, T0 + 1, put("chave2", "val-b1", "r-b1")),
          write(
              "a", 2, T0 + 2, put("chave1", "val-a2", "r-a2"), new Operation.Remove("chave2", 1)));

  private static final List<ReplicationMessage> AFTER =
      List.of(
          write("b", 2, T0 + 3, put("chave1", "val-b2", "r-b2")), // the server misses this one
          write("a", 3, T0 + 4, put("chave1", "val-a3", "r-a3"), put("chave3", "val-a3", "r-a3x")),
          write("b", 3, T0 + 5, Operation.Remove.all("chave3")), // and this one
          write("a", 4, T0 + 6, put("chave4", "val-a4", "r-a4")));

  @Test
  void aServerThatMissedEntriesEndsInThePeersStateExactly() {
    StateMachine peer = machine();
    StateMachine server = machine();
    SHARED.forEach(peer::apply);
    SHARED.forEach(server::apply);
    StateMachine.Mark base = server.mark();
    assertEquals(
        base.stateDigest(), peer.mark().stateDigest(), "the same state at the shared point");
    StateMachine.Mark peerBase = peer.mark();

    Set<String> written = new HashSet<>();
    for (ReplicationMessage m : AFTER) {
      peer.apply(m);
      m.operations()
          .forEach(
              op ->
                  written.add(
                      op instanceof Operation.Put p ? p.key() : ((Operation.Remove) op).key()));
    }
    server.apply(AFTER.get(1)); // chave1 gets version 3 here, version 4 on the peer
    server.apply(AFTER.get(3));
    assertNotEquals(peer.stateDigest(), server.stateDigest());

    StateChanges changes = peer.changesSince(peerBase, written).orElseThrow();
    server.repair(base, changes);

    assertEquals(peer.image(), server.image());
    assertEquals(peer.stateDigest(), server.stateDigest());
    assertEquals(peer.mark().requestsAdded(), server.mark().requestsAdded());
    // Retries keep the peer's answers: r-a3 made version 4 of chave1 on the peer.
    assertEquals(
        List.of(4), server.apply(write("c", 1, T0 + 7, put("chave1", "again", "r-a3"))).results());
  }

  @Test
  void changesHoldOnlyTheKeysWrittenAndTheRequestsAddedSinceTheBase() {
    StateMachine peer = machine();
    SHARED.forEach(peer::apply);
    StateMachine.Mark base = peer.mark();
    peer.apply(AFTER.get(3));

    StateChanges changes = peer.changesSince(base, Set.of("chave4")).orElseThrow();

    assertEquals(List.of("chave4"), changes.image().keys().stream().map(r -> r.key()).toList());
    assertEquals(1, changes.image().requests().size());
    assertEquals(RequestFingerprint.of("r-a4"), changes.image().requests().get(0).fingerprint());
    assertEquals(peer.position(), changes.image().position());
    assertEquals(base.position(), changes.base());
    assertEquals(peer.stateDigest(), changes.stateDigest());
  }

  @Test
  void equalPositionsWithDifferentRequestsOrRunsHaveDifferentStateDigests() {
    StateMachine one = machine();
    StateMachine other = machine();
    one.apply(write("a", 1, T0, put("chave1", "value", "r-1")));
    other.apply(write("a", 1, T0, put("chave1", "value", "r-2")));
    assertEquals(one.store().digest(), other.store().digest());
    assertNotEquals(one.stateDigest(), other.stateDigest(), "the recent requests differ");

    StateMachine third = machine();
    third.apply(write("z", 1, T0, put("chave1", "value", "r-1")));
    assertNotEquals(one.stateDigest(), third.stateDigest(), "the duplicate filter differs");
  }

  @Test
  void noChangesAndNoRepairOnceTheCapPushedRequestsOut() {
    StateMachine peer = new StateMachine(new VersionedStore(), Duration.ofSeconds(60), 2);
    SHARED.forEach(peer::apply); // 3 requests: the cap of 2 pushed one out already
    StateMachine.Mark base = peer.mark();
    assertTrue(peer.changesSince(base, Set.of()).isPresent());
    peer.apply(AFTER.get(0)); // pushes another out

    assertTrue(peer.changesSince(base, Set.of("chave1")).isEmpty());
    StateChanges any = new StateChanges(base.position(), 0, peer.image());
    assertThrows(IllegalArgumentException.class, () -> peer.repair(base, any));
  }

  @Test
  void changesThatWouldNotGiveThePeersContentAreRefusedBeforeAnythingChanges() {
    StateMachine peer = machine();
    StateMachine server = machine();
    SHARED.forEach(peer::apply);
    SHARED.forEach(server::apply);
    StateMachine.Mark base = server.mark();
    StateImage before = server.image();
    peer.apply(AFTER.get(0));

    // Changes that leave out chave1, which the entry wrote: the content cannot come out right.
    StateChanges all = peer.changesSince(base, Set.of("chave1")).orElseThrow();
    StateImage without = all.image();
    StateChanges incomplete =
        new StateChanges(
            base.position(),
            all.stateDigest(),
            new StateImage(
                without.position(),
                without.digest(),
                without.streamTime(),
                without.runs(),
                without.requests(),
                List.of()));

    assertThrows(IllegalArgumentException.class, () -> server.repair(base, incomplete));
    assertEquals(before, server.image(), "nothing changed");
    server.repair(base, all);
    assertEquals(peer.image(), server.image());
  }

  @Test
  void aRepairThatDoesNotComeToThePeersWholeStateFailsAfterwards() {
    StateMachine peer = machine();
    StateMachine server = machine();
    SHARED.forEach(peer::apply);
    SHARED.forEach(server::apply);
    StateMachine.Mark base = server.mark();
    peer.apply(AFTER.get(0));
    StateChanges honest = peer.changesSince(base, Set.of("chave1")).orElseThrow();
    // The right content, but the request the entry remembered is left out.
    StateImage image = honest.image();
    StateChanges withoutRequests =
        new StateChanges(
            base.position(),
            honest.stateDigest(),
            new StateImage(
                image.position(),
                image.digest(),
                image.streamTime(),
                image.runs(),
                List.of(),
                image.keys()));

    assertThrows(IllegalStateException.class, () -> server.repair(base, withoutRequests));
  }

  @Test
  void noRepairAcrossTheFirstTimestampWhenRequestsWereRememberedBeforeIt() {
    StateMachine peer = machine();
    StateMachine server = machine();
    ReplicationMessage untimed =
        new ReplicationMessage("a", "run-a", 1, List.of(put("chave1", "val-1", "r-1")));
    peer.apply(untimed);
    server.apply(untimed);
    StateMachine.Mark base = peer.mark();
    StateMachine.Mark serverBase = server.mark();
    peer.apply(write("a", 2, T0, put("chave2", "val-2", "r-2"))); // re-dates r-1 to T0

    assertTrue(peer.changesSince(base, Set.of("chave2")).isEmpty(), "the peer does not offer them");
    StateChanges forced = new StateChanges(base.position(), peer.stateDigest(), peer.image());
    server.apply(write("a", 3, T0 + 9, put("chave3", "val-3", "r-3"))); // re-dates r-1 to T0 + 9
    assertThrows(
        IllegalArgumentException.class,
        () -> server.repair(serverBase, forced),
        "the server does not take them");
  }

  private static StateMachine machine() {
    return new StateMachine(new VersionedStore());
  }
}
