package kvs.core.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;
import kvs.core.Entry;
import kvs.core.KeyRecord;
import kvs.core.VersionedStore;
import org.junit.jupiter.api.Test;

class StateMachineTest {
  private final StateMachine machine = new StateMachine(new VersionedStore());

  private static ReplicationMessage message(String origin, long seq, Operation... ops) {
    return new ReplicationMessage(origin, "run-1", seq, List.of(ops));
  }

  @Test
  void appliesABatchInOrderWithOneResultPerOperation() {
    StateMachine.Applied applied =
        machine.apply(
            message(
                "a",
                1,
                new Operation.Put("chave1", "valor1"),
                new Operation.Put("chave1", "valor2"),
                new Operation.Put("xx", "valor2"),
                new Operation.Remove("chave1", 1),
                new Operation.Remove("chave1", 1),
                Operation.Remove.all("chave1"),
                Operation.Remove.all("chave1")));
    assertEquals(List.of(1, 2, -1, 1, -1, 0, -1), applied.results());
    assertEquals(1, machine.position());
    assertEquals(
        List.of(
            new Change(Change.Kind.PUT, "chave1", 1, "valor1"),
            new Change(Change.Kind.PUT, "chave1", 2, "valor2"),
            new Change(Change.Kind.REMOVE_VERSION, "chave1", 1, null),
            new Change(Change.Kind.REMOVE_ALL, "chave1", 0, null)),
        applied.changes(),
        "one change per operation that changed the store, none for the failed ones");
  }

  @Test
  void aDuplicateOrARetryChangesNothing() {
    machine.apply(stamped("a", 1, T0, put("kkk", "vvv", "R")));
    assertEquals(List.of(), machine.apply(stamped("a", 1, T0, put("kkk", "vvv", "R"))).changes());
    StateMachine.Applied retry = machine.apply(stamped("b", 1, T0 + 1, put("kkk", "vvv", "R")));
    assertEquals(List.of(1), retry.results());
    assertEquals(List.of(), retry.changes(), "a retry answered from its first result");
  }

  @Test
  void ignoresARedeliveredMessage() {
    ReplicationMessage first = message("a", 1, new Operation.Put("chave1", "valor1"));
    machine.apply(first);
    StateMachine.Applied again = machine.apply(first);
    assertTrue(again.duplicate());
    assertEquals(List.of(), again.results());
    assertEquals(1, machine.position());
    assertEquals(List.of(new Entry("chave1", "valor1", 1)), machine.store().snapshot(0));
  }

  @Test
  void sequencesAreScopedByOriginAndRun() {
    machine.apply(message("a", 5, new Operation.Put("chave1", "valor1")));
    assertEquals(
        List.of(2), machine.apply(message("b", 1, new Operation.Put("chave1", "v2b"))).results());
    assertTrue(machine.apply(message("a", 3, new Operation.Put("chave1", "old"))).duplicate());
    ReplicationMessage restarted =
        new ReplicationMessage("a", "run-2", 1, List.of(new Operation.Put("chave1", "v3a")));
    assertEquals(List.of(3), machine.apply(restarted).results(), "a new run starts over");
  }

  @Test
  void sameStreamGivesSameStateAndAnswers() {
    List<ReplicationMessage> stream =
        List.of(
            message("a", 1, new Operation.Put("chave1", "valor1")),
            message("b", 1, new Operation.Put("chave1", "valor2"), Operation.Remove.all("chave2")),
            message("a", 2, new Operation.Remove("chave1", 1)),
            message("b", 1, new Operation.Put("chave1", "dup")),
            message("c", 1, new Operation.Put("chave1", "valor3")));
    StateMachine other = new StateMachine(new VersionedStore());
    for (ReplicationMessage m : stream) {
      assertEquals(machine.apply(m), other.apply(m));
    }
    assertEquals(machine.store().snapshot(0), other.store().snapshot(0));
    assertEquals(machine.position(), other.position());
  }

  // --- image(), of() and lastSequence() ---

  private static final List<ReplicationMessage> BEFORE_IMAGE =
      List.of(
          message(
              "a", 1, new Operation.Put("chave1", "valor1"), new Operation.Put("chave1", "valor2")),
          message("b", 1, new Operation.Put("chave2", "valor1")),
          message("a", 2, new Operation.Remove("chave1", 1), Operation.Remove.all("chave2")),
          message("b", 2, new Operation.Put("chave3", "valor\u00e7\uD83D\uDE00")));

  private static final List<ReplicationMessage> AFTER_IMAGE =
      List.of(
          message("a", 2, new Operation.Put("chave1", "dup")),
          message(
              "b", 3, new Operation.Put("chave2", "valor2"), new Operation.Put("chave1", "valor3")),
          message("c", 1, new Operation.Remove("chave1", 2), new Operation.Remove("chave1", 1)),
          message("b", 1, new Operation.Put("chave9", "dup")),
          message("a", 3, Operation.Remove.all("chave3"), new Operation.Put("chave3", "valor4")));

  private static StateMachine machineAfter(List<ReplicationMessage> stream) {
    StateMachine m = new StateMachine(new VersionedStore());
    stream.forEach(m::apply);
    return m;
  }

  @Test
  void imageDescribesTheWholeState() {
    StateMachine m = machineAfter(BEFORE_IMAGE);
    StateImage image = m.image();
    assertEquals(4, image.position());
    assertEquals(m.store().digest(), image.digest());
    assertEquals(m.store().records(), image.keys());
    assertEquals(
        new HashSet<>(List.of(new RunSequence("a", "run-1", 2), new RunSequence("b", "run-1", 2))),
        new HashSet<>(image.runs()));
  }

  @Test
  void imageIsACopy() {
    StateMachine m = machineAfter(BEFORE_IMAGE);
    StateImage image = m.image();
    StateImage copy =
        new StateImage(
            image.position(),
            image.digest(),
            image.streamTime(),
            image.runs(),
            List.of(),
            image.keys());
    AFTER_IMAGE.forEach(m::apply);
    assertEquals(copy, image);
  }

  @Test
  void restoredMachineHasTheSamePositionDigestAndContent() {
    StateMachine original = machineAfter(BEFORE_IMAGE);
    StateMachine restored = StateMachine.of(original.image());
    assertEquals(original.position(), restored.position());
    assertEquals(original.store().digest(), restored.store().digest());
    assertEquals(original.store().records(), restored.store().records());
    assertEquals(original.store().snapshot(0), restored.store().snapshot(0));
    assertEquals(original.store().keyCount(), restored.store().keyCount());
    assertEquals(original.store().versionCount(), restored.store().versionCount());
  }

  @Test
  void restoredMachineStillIgnoresMessagesAppliedBeforeTheImage() {
    StateMachine restored = StateMachine.of(machineAfter(BEFORE_IMAGE).image());
    long digest = restored.store().digest();
    for (ReplicationMessage m : BEFORE_IMAGE) {
      assertTrue(restored.apply(m).duplicate(), m.toString());
    }
    assertEquals(4, restored.position());
    assertEquals(digest, restored.store().digest());
  }

  @Test
  void restoredMachineAnswersTheRestOfTheStreamLikeTheOriginal() {
    StateMachine original = machineAfter(BEFORE_IMAGE);
    StateMachine restored = StateMachine.of(original.image());
    List<StateMachine.Applied> expected = new ArrayList<>();
    List<StateMachine.Applied> actual = new ArrayList<>();
    for (ReplicationMessage m : AFTER_IMAGE) {
      expected.add(original.apply(m));
      actual.add(restored.apply(m));
      assertEquals(original.store().digest(), restored.store().digest());
    }
    assertEquals(expected, actual);
    // The answers themselves, so that a wrong state on both sides cannot pass.
    assertEquals(
        List.of(true, false, false, true, false),
        actual.stream().map(StateMachine.Applied::duplicate).toList());
    assertEquals(
        List.of(List.of(), List.of(2, 3), List.of(2, -1), List.of(), List.of(0, 2)),
        actual.stream().map(StateMachine.Applied::results).toList());
    assertEquals(original.position(), restored.position());
    assertEquals(original.store().records(), restored.store().records());
    assertEquals(original.image().keys(), restored.image().keys());
  }

  @Test
  void anImageOfARestoredMachineRestoresAgain() {
    StateMachine once = StateMachine.of(machineAfter(BEFORE_IMAGE).image());
    StateMachine twice = StateMachine.of(once.image());
    assertEquals(once.image().digest(), twice.image().digest());
    assertEquals(once.image().keys(), twice.image().keys());
    assertEquals(new HashSet<>(once.image().runs()), new HashSet<>(twice.image().runs()));
  }

  @Test
  void ofAnEmptyImageIsAFreshMachine() {
    StateMachine m = StateMachine.of(new StateImage(0, 0, 0, List.of(), List.of(), List.of()));
    assertEquals(0, m.position());
    assertEquals(0, m.store().keyCount());
    assertEquals(
        List.of(1), m.apply(message("a", 1, new Operation.Put("chave1", "valor1"))).results());
  }

  @Test
  void ofRejectsAnImageWhoseContentDoesNotMatchItsDigest() {
    StateImage image = machineAfter(BEFORE_IMAGE).image();
    List<KeyRecord> tampered = new ArrayList<>(image.keys());
    KeyRecord first = tampered.get(0);
    TreeMap<Integer, String> versions = new TreeMap<>(first.versions());
    versions.put(versions.firstKey(), "tampered");
    tampered.set(0, new KeyRecord(first.key(), first.highestVersion(), versions));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            StateMachine.of(
                new StateImage(
                    image.position(), image.digest(), 0, image.runs(), List.of(), tampered)));

    List<KeyRecord> missingKey = image.keys().subList(1, image.keys().size());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            StateMachine.of(
                new StateImage(
                    image.position(), image.digest(), 0, image.runs(), List.of(), missingKey)));

    assertThrows(
        IllegalArgumentException.class,
        () ->
            StateMachine.of(
                new StateImage(
                    image.position(),
                    image.digest() + 1,
                    0,
                    image.runs(),
                    List.of(),
                    image.keys())));
  }

  @Test
  void lastSequenceFollowsEachRun() {
    assertEquals(OptionalLong.empty(), machine.lastSequence("a", "run-1"));
    machine.apply(message("a", 1, new Operation.Put("chave1", "valor1")));
    assertEquals(OptionalLong.of(1), machine.lastSequence("a", "run-1"));
    machine.apply(message("a", 5, new Operation.Put("chave1", "valor1")));
    assertEquals(OptionalLong.of(5), machine.lastSequence("a", "run-1"), "a gap is accepted");
    machine.apply(message("a", 3, new Operation.Put("chave1", "valor1")));
    assertEquals(
        OptionalLong.of(5), machine.lastSequence("a", "run-1"), "a duplicate changes nothing");
    machine.apply(
        new ReplicationMessage("a", "run-2", 1, List.of(new Operation.Put("chave1", "v"))));
    assertEquals(OptionalLong.of(1), machine.lastSequence("a", "run-2"));
    assertEquals(OptionalLong.of(5), machine.lastSequence("a", "run-1"));
    assertEquals(OptionalLong.empty(), machine.lastSequence("b", "run-1"));
    assertEquals(OptionalLong.empty(), machine.lastSequence("run-1", "a"));
  }

  @Test
  void lastSequenceSurvivesAnImage() {
    StateMachine restored = StateMachine.of(machineAfter(BEFORE_IMAGE).image());
    assertEquals(OptionalLong.of(2), restored.lastSequence("a", "run-1"));
    assertEquals(OptionalLong.of(2), restored.lastSequence("b", "run-1"));
    assertEquals(OptionalLong.empty(), restored.lastSequence("c", "run-1"));
    assertFalse(restored.apply(message("c", 1, new Operation.Put("chave1", "valor1"))).duplicate());
    assertEquals(OptionalLong.of(1), restored.lastSequence("c", "run-1"));
  }

  @Test
  void aRetriedRequestIdAnswersTheFirstResultAndWritesNothing() {
    java.util.Optional<String> id = java.util.Optional.of("req-1");
    assertEquals(
        List.of(1),
        machine.apply(message("a", 1, new Operation.Put("chave1", "valor1", id))).results());
    long digest = machine.store().digest();
    // The retry may come through another server: another origin, same request id.
    assertEquals(
        List.of(1),
        machine.apply(message("b", 1, new Operation.Put("chave1", "valor1", id))).results());
    assertEquals(digest, machine.store().digest(), "nothing written again");
    assertEquals(
        List.of(2),
        machine
            .apply(
                message(
                    "b", 2, new Operation.Put("chave1", "valor2", java.util.Optional.of("req-2"))))
            .results());
    java.util.Optional<String> removal = java.util.Optional.of("req-3");
    assertEquals(
        List.of(0),
        machine.apply(message("a", 2, new Operation.Remove("chave1", 0, removal))).results());
    assertEquals(
        List.of(0),
        machine.apply(message("a", 3, new Operation.Remove("chave1", 0, removal))).results(),
        "not -1");
  }

  // --- retries by request id, over stream time ---

  private static final long T0 = 1_700_000_000_000L;
  private static final long WINDOW = StateMachine.DEFAULT_RETRY_WINDOW.toMillis();

  private static Operation.Put put(String key, String value, String requestId) {
    return new Operation.Put(key, value, java.util.Optional.of(requestId));
  }

  private static ReplicationMessage stamped(
      String origin, long seq, long timestamp, Operation... ops) {
    return new ReplicationMessage(origin, "run-1", seq, List.of(ops), timestamp);
  }

  /**
   * Writes with other ids, {@code count} of them at 45,000 a second of stream time from {@code
   * start}, some single, some several to a message; the next sequence of origin "load" after them.
   */
  private static long load(StateMachine m, int count, long start, long firstSequence) {
    long seq = firstSequence;
    int written = 0;
    while (written < count) {
      int batch = Math.min(count - written, written % 7 == 0 ? 1 + written % 50 : 1);
      Operation[] ops = new Operation[batch];
      for (int j = 0; j < batch; j++) {
        int n = written + j;
        ops[j] = put("load-" + (n % 1_000), "v" + n, "load-rid-" + start + "-" + n);
      }
      m.apply(stamped("load", seq++, start + written / 45, ops));
      written += batch;
    }
    return seq;
  }

  @Test
  void aRetryAfterHalfAMillionOtherWritesWithinTheWindowAnswersTheFirstVersionAndWritesNothing() {
    assertEquals(
        List.of(1), machine.apply(stamped("a", 1, T0, put("retried", "vvv", "R"))).results());
    load(machine, 500_000, T0 + 1, 1);
    assertTrue(machine.streamTime() - T0 < WINDOW, "500,000 writes at 45,000/s: about 11 s");
    long versions = machine.store().versionCount();
    // The retry, through another server, with its own later clock.
    assertEquals(
        List.of(1),
        machine
            .apply(stamped("b", 1, machine.streamTime() + 5, put("retried", "vvv", "R")))
            .results());
    assertEquals(versions, machine.store().versionCount(), "nothing written again");
    assertEquals(
        1,
        machine.store().get("retried", 0).orElseThrow().version(),
        "the key has exactly one version");
  }

  @Test
  void aRetryMoreThanTheWindowOfStreamTimeLaterIsAppliedAnew() {
    machine.apply(stamped("a", 1, T0, put("retried", "vvv", "R")));
    machine.apply(stamped("a", 2, T0 + WINDOW, put("other", "vvv", "X")));
    assertEquals(
        List.of(1),
        machine.apply(stamped("a", 3, 0, put("retried", "vvv", "R"))).results(),
        "exactly at the edge: a retry");
    machine.apply(stamped("a", 4, T0 + WINDOW + 1, put("other", "vvv", "Y")));
    assertEquals(
        List.of(2),
        machine.apply(stamped("a", 5, 0, put("retried", "vvv", "R"))).results(),
        "forgotten: new");
    assertEquals(
        List.of(2),
        machine.apply(stamped("a", 6, 0, put("retried", "vvv", "R"))).results(),
        "and remembered anew");
  }

  @Test
  void aRedeliveredMessageDoesNotMoveStreamTime() {
    machine.apply(stamped("a", 1, T0, put("kkk", "vvv", "R")));
    machine.apply(stamped("a", 2, T0 + 1, put("kkk", "vvv", "S")));
    assertTrue(
        machine.apply(stamped("a", 2, T0 + WINDOW * 10, put("kkk", "vvv", "S"))).duplicate());
    assertEquals(T0 + 1, machine.streamTime());
    assertEquals(List.of(1), machine.apply(stamped("b", 1, 0, put("kkk", "vvv", "R"))).results());
  }

  @Test
  void twoMachinesFedTheSameStreamAgreeOnEveryAnswerAndTheirImages() {
    StateMachine one = new StateMachine(new VersionedStore(), Duration.ofSeconds(2), 1_000);
    StateMachine two = new StateMachine(new VersionedStore(), Duration.ofSeconds(2), 1_000);
    java.util.Random random = new java.util.Random(7);
    long time = T0;
    for (int seq = 1; seq <= 20_000; seq++) {
      time += random.nextInt(3) == 0 ? 0 : random.nextInt(5);
      Operation op =
          random.nextBoolean()
              ? put("key" + random.nextInt(50), "v" + seq, "r" + random.nextInt(3_000))
              : new Operation.Remove(
                  "key" + random.nextInt(50),
                  random.nextInt(3),
                  java.util.Optional.of("r" + random.nextInt(3_000)));
      ReplicationMessage m = stamped("o" + seq % 3, seq, random.nextInt(10) == 0 ? 0 : time, op);
      assertEquals(one.apply(m), two.apply(m));
    }
    assertEquals(one.image(), two.image());
    assertTrue(
        one.image().requests().size() > 100,
        "some ids remembered: " + one.image().requests().size());
  }

  @Test
  void theCapForgetsTheOldestIdsFirst() {
    StateMachine small = new StateMachine(new VersionedStore(), Duration.ofHours(1), 2);
    small.apply(
        stamped(
            "a", 1, T0, put("kkk", "vvv", "R1"), put("kkk", "vvv", "R2"), put("kkk", "vvv", "R3")));
    assertEquals(
        List.of(2, 3, 4, 5),
        small
            .apply(
                stamped(
                    "a",
                    2,
                    T0,
                    put("kkk", "vvv", "R2"),
                    put("kkk", "vvv", "R3"),
                    put("kkk", "vvv", "R1"),
                    put("kkk", "vvv", "R2")))
            .results(),
        "R2 and R3 remembered; R1 forgotten, written anew, and that pushes R2 out");
  }

  @Test
  void anImageKeepsRetriesSafeAndTheStreamTime() {
    machine.apply(stamped("a", 1, T0, put("kkk", "vvv", "R")));
    machine.apply(stamped("a", 2, T0 + 30_000, put("kkk", "vvv", "S")));
    StateImage image = machine.image();
    assertEquals(T0 + 30_000, image.streamTime());
    assertEquals(
        List.of(RecentRequest.of("R", 1, T0), RecentRequest.of("S", 2, T0 + 30_000)),
        image.requests());

    StateMachine restored = StateMachine.of(image);
    assertEquals(T0 + 30_000, restored.streamTime());
    assertEquals(image, restored.image());
    ReplicationMessage retry = stamped("b", 1, T0 + WINDOW, put("kkk", "vvv", "R"));
    assertEquals(List.of(1), restored.apply(retry).results(), "a retry, not a third version");
    assertEquals(machine.apply(retry), new StateMachine.Applied(false, List.of(1), List.of()));
    assertEquals(machine.image(), restored.image());
    ReplicationMessage later = stamped("b", 2, T0 + WINDOW + 1, put("kkk", "vvv", "R"));
    assertEquals(List.of(3), restored.apply(later).results(), "past the window it is new, on both");
    assertEquals(
        machine.apply(later),
        new StateMachine.Applied(
            false, List.of(3), List.of(new Change(Change.Kind.PUT, "kkk", 3, "vvv"))));
  }

  @Test
  void ofWithAWindowAndCapAppliesThemToTheImage() {
    machine.apply(stamped("a", 1, T0, put("kkk", "vvv", "R")));
    machine.apply(stamped("a", 2, T0 + 30_000, put("kkk", "vvv", "S")));
    StateMachine narrow = StateMachine.of(machine.image(), Duration.ofSeconds(10), 100);
    assertEquals(
        List.of(3),
        narrow.apply(stamped("b", 1, 0, put("kkk", "vvv", "R"))).results(),
        "R is past 10 s");
    assertEquals(List.of(2), narrow.apply(stamped("b", 2, 0, put("kkk", "vvv", "S"))).results());
  }

  @Test
  void aRestoredStateMachineKeepsTheRetryWindowItWasGiven() {
    StateMachine shortWindow = new StateMachine(new VersionedStore(), Duration.ofSeconds(1), 1000);
    assertEquals(
        List.of(1),
        shortWindow.apply(stamped("a", 1, T0, put("chave1", "valor1", "rid-1"))).results());
    StateMachine restored = shortWindow.restoredFrom(shortWindow.image());

    assertEquals(
        List.of(1),
        restored.apply(stamped("a", 2, T0 + 1000, put("chave1", "valor2", "rid-1"))).results(),
        "within 1 s: the first answer");
    assertEquals(
        List.of(2),
        restored.apply(stamped("a", 3, T0 + 1001, put("chave1", "valor3", "rid-1"))).results(),
        "past 1 s: a new write");
  }
}
