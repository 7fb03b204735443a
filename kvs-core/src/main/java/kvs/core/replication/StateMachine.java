package kvs.core.replication;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import kvs.core.VersionedStore;

/**
 * Applies the replication stream to a {@link VersionedStore}. Every server applies the same
 * stream in the same (broker) order, so every server computes the same answers and ends in the
 * same state. Deterministic: no clock, no I/O, no threads. Not thread-safe.
 *
 * <p>A message is applied at most once: a redelivered duplicate (same origin and run, a sequence
 * already seen) is ignored.
 */
public final class StateMachine {
  private final VersionedStore store;
  private final Map<Run, Long> lastSequence = new HashMap<>();
  private long position;

  public StateMachine(VersionedStore store) {
    this.store = store;
  }

  /** A state machine in exactly the state {@code image} describes. */
  public static StateMachine of(StateImage image) {
    StateMachine machine = new StateMachine(VersionedStore.of(image.keys()));
    if (machine.store.digest() != image.digest()) {
      throw new IllegalArgumentException("the image's content does not match its digest");
    }
    image.runs().forEach(r -> machine.lastSequence.put(new Run(r.origin(), r.run()), r.lastSequence()));
    machine.position = image.position();
    return machine;
  }

  /** A copy of the whole state, safe to keep while this machine goes on. */
  public StateImage image() {
    List<RunSequence> runs = new ArrayList<>(lastSequence.size());
    lastSequence.forEach((run, last) -> runs.add(new RunSequence(run.origin(), run.run(), last)));
    runs.sort(java.util.Comparator.comparing(RunSequence::origin).thenComparing(RunSequence::run));
    return new StateImage(position, store.digest(), runs, store.records());
  }

  /** The last sequence applied from {@code run} of {@code origin}; empty when none was. */
  public java.util.OptionalLong lastSequence(String origin, String run) {
    Long last = lastSequence.get(new Run(origin, run));
    return last == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(last);
  }

  /**
   * Applies every operation of {@code message} in order; answers one result per operation
   * (the store's answer), or {@link Applied#DUPLICATE} when the message was applied before.
   */
  public Applied apply(ReplicationMessage message) {
    Run run = new Run(message.origin(), message.run());
    Long last = lastSequence.get(run);
    if (last != null && message.sequence() <= last) {
      return Applied.DUPLICATE;
    }
    lastSequence.put(run, message.sequence());
    List<Integer> results = new ArrayList<>(message.operations().size());
    for (Operation operation : message.operations()) {
      results.add(applyOne(operation));
    }
    position++;
    return new Applied(false, List.copyOf(results));
  }

  /** How many stream entries this state machine has applied (duplicates not counted). */
  public long position() {
    return position;
  }

  public VersionedStore store() {
    return store;
  }

  private int applyOne(Operation operation) {
    if (operation instanceof Operation.Put put) {
      return store.put(put.key(), put.value());
    }
    Operation.Remove remove = (Operation.Remove) operation;
    return store.remove(remove.key(), remove.version());
  }

  /** One run of one origin server: the scope of a sequence number. */
  private record Run(String origin, String run) {}

  /**
   * The outcome of applying one message.
   *
   * @param duplicate true when the message had been applied before and was ignored
   * @param results one store answer per operation, in order; empty for a duplicate
   */
  public record Applied(boolean duplicate, List<Integer> results) {
    /** The outcome for a message that had been applied before. */
    public static final Applied DUPLICATE = new Applied(true, List.of());
  }
}
