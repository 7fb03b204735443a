package kvs.core.replication;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.List;
import java.util.Map;
import kvs.core.VersionedStore;

/**
 * Applies the replication stream to a {@link VersionedStore}. Every server applies the same
 * stream in the same (broker) order, so every server computes the same answers and ends in the
 * same state. Deterministic: no clock, no I/O, no threads. Not thread-safe.
 *
 * <p>A message is applied at most once: a redelivered duplicate (same origin and run, a sequence
 * already seen) is ignored. A write is applied at most once per client request id within the last
 * {@link #REQUEST_WINDOW} ids: a retry answers the first result.
 */
public final class StateMachine {
  /** How many request ids (and their answers) are remembered, oldest forgotten first. */
  public static final int REQUEST_WINDOW = 100_000;

  private final VersionedStore store;
  private final Map<Run, Long> lastSequence = new HashMap<>();
  // Insertion order is application order, the same on every server: eviction is deterministic.
  private final LinkedHashMap<String, Integer> recentRequests = new LinkedHashMap<>();
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
    image.requests().forEach(r -> machine.remember(r.requestId(), r.result()));
    machine.position = image.position();
    return machine;
  }

  /** A copy of the whole state, safe to keep while this machine goes on. */
  public StateImage image() {
    List<RunSequence> runs = new ArrayList<>(lastSequence.size());
    lastSequence.forEach((run, last) -> runs.add(new RunSequence(run.origin(), run.run(), last)));
    runs.sort(java.util.Comparator.comparing(RunSequence::origin).thenComparing(RunSequence::run));
    List<RecentRequest> requests = new ArrayList<>(recentRequests.size());
    recentRequests.forEach((id, result) -> requests.add(new RecentRequest(id, result)));
    return new StateImage(position, store.digest(), runs, requests, store.records());
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
    Optional<String> requestId = operation.requestId();
    if (requestId.isPresent()) {
      Integer earlier = recentRequests.get(requestId.get());
      if (earlier != null) {
        return earlier; // a retry: the first answer, and nothing written again
      }
    }
    int result;
    if (operation instanceof Operation.Put put) {
      result = store.put(put.key(), put.value());
    } else {
      Operation.Remove remove = (Operation.Remove) operation;
      result = store.remove(remove.key(), remove.version());
    }
    requestId.ifPresent(id -> remember(id, result));
    return result;
  }

  private void remember(String requestId, int result) {
    recentRequests.put(requestId, result);
    if (recentRequests.size() > REQUEST_WINDOW) {
      recentRequests.remove(recentRequests.keySet().iterator().next());
    }
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
