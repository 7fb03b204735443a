package kvs.core.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeSet;
import kvs.core.KeyRecord;
import kvs.core.Mix64;
import kvs.core.VersionedStore;

/**
 * Applies the replication stream to a {@link VersionedStore}. Every server applies the same stream
 * in the same (broker) order, so every server computes the same answers and ends in the same state.
 * Deterministic: no clock, no I/O, no threads. Not thread-safe.
 *
 * <p>A message is applied at most once: a redelivered duplicate (same origin and run, a sequence
 * already seen) is ignored. A write carrying a client request id is applied at most once while that
 * id is remembered: a retry answers the first result and writes nothing. An id is remembered for a
 * window of stream time (the messages' timestamps, never a local clock; {@link
 * #DEFAULT_RETRY_WINDOW} unless told) after its first application, whatever the load, up to a cap
 * on the entries ({@link #DEFAULT_RETRY_CAP}); see {@link RetryCache} for the rule and its memory.
 * A retry after the window is applied as a new write.
 */
public final class StateMachine {
  /**
   * How long (in stream time) after its first application a request id is remembered by default.
   */
  public static final Duration DEFAULT_RETRY_WINDOW = Duration.ofSeconds(60);

  /**
   * How many request ids are remembered at most by default, the oldest forgotten first beyond it:
   * 60 s at about 66,000 writes/s, at most about 144 MB of heap.
   */
  public static final int DEFAULT_RETRY_CAP = 4_000_000;

  private final VersionedStore store;
  private final Map<Run, Long> lastSequence = new HashMap<>();
  private final RetryCache retries;
  private long position;
  private long runsDigest; // the sum of a hash of every (run, last sequence)

  /** A state machine over {@code store} with the default retry window and cap. */
  public StateMachine(VersionedStore store) {
    this(store, DEFAULT_RETRY_WINDOW, DEFAULT_RETRY_CAP);
  }

  /**
   * A state machine over {@code store} that remembers request ids for {@code retryWindow} of stream
   * time, at most {@code retryCap} of them.
   */
  public StateMachine(VersionedStore store, Duration retryWindow, int retryCap) {
    this(store, new RetryCache(retryWindow, retryCap));
  }

  private StateMachine(VersionedStore store, RetryCache retries) {
    this.store = Objects.requireNonNull(store, "store");
    this.retries = retries;
  }

  /**
   * A state machine in exactly the state {@code image} describes, with the default retry window and
   * cap.
   */
  public static StateMachine of(StateImage image) {
    return of(image, DEFAULT_RETRY_WINDOW, DEFAULT_RETRY_CAP);
  }

  /**
   * A state machine in the state {@code image} describes, remembering request ids for {@code
   * retryWindow} at most {@code retryCap} of them (the image's entries that these no longer allow
   * are left out).
   *
   * @throws IllegalArgumentException when the image's content does not match its digest
   */
  public static StateMachine of(StateImage image, Duration retryWindow, int retryCap) {
    StateMachine machine =
        new StateMachine(
            VersionedStore.of(image.keys()),
            RetryCache.of(retryWindow, retryCap, image.streamTime(), image.requests()));
    if (machine.store.digest() != image.digest()) {
      throw new IllegalArgumentException("the image's content does not match its digest");
    }
    machine.setRuns(image.runs());
    machine.position = image.position();
    return machine;
  }

  /** A copy of the whole state, safe to keep while this machine goes on. */
  public StateImage image() {
    return new StateImage(
        position, store.digest(), retries.streamTime(), runs(), retries.entries(), store.records());
  }

  /** The last sequence applied from {@code run} of {@code origin}; empty when none was. */
  public OptionalLong lastSequence(String origin, String run) {
    Long last = lastSequence.get(new Run(origin, run));
    return last == null ? OptionalLong.empty() : OptionalLong.of(last);
  }

  /**
   * Applies every operation of {@code message} in order; answers one result per operation (the
   * store's answer), or {@link Applied#DUPLICATE} when the message was applied before.
   */
  public Applied apply(ReplicationMessage message) {
    Run run = new Run(message.origin(), message.run());
    Long last = lastSequence.get(run);
    if (last != null && message.sequence() <= last) {
      return Applied.DUPLICATE;
    }
    runsDigest += runTerm(run, message.sequence()) - (last == null ? 0 : runTerm(run, last));
    lastSequence.put(run, message.sequence());
    retries.advance(message.timestamp());
    List<Integer> results = new ArrayList<>(message.operations().size());
    List<Change> changes = new ArrayList<>(message.operations().size());
    for (Operation operation : message.operations()) {
      results.add(applyOne(operation, changes));
    }
    position++;
    return new Applied(false, List.copyOf(results), List.copyOf(changes));
  }

  /** How many stream entries this state machine has applied (duplicates not counted). */
  public long position() {
    return position;
  }

  public VersionedStore store() {
    return store;
  }

  /** A state machine in the state {@code image} describes, remembering retries as this one does. */
  public StateMachine restoredFrom(StateImage image) {
    return of(image, retries.window(), retries.maxEntries());
  }

  /**
   * The answer a write with {@code requestId} got when it was applied, while it is remembered: what
   * a retry of it would answer if it were applied now.
   */
  public OptionalInt earlierAnswer(String requestId) {
    return retries.answer(requestId);
  }

  /**
   * Stream time: the highest message timestamp applied so far (ms since the epoch), 0 before any.
   */
  public long streamTime() {
    return retries.streamTime();
  }

  private int applyOne(Operation operation, List<Change> changes) {
    // Fingerprinted once: the lookup and the remembering both need it.
    Optional<RequestFingerprint> requestId = operation.requestId().map(RequestFingerprint::of);
    if (requestId.isPresent()) {
      OptionalInt earlier = retries.answer(requestId.get());
      if (earlier.isPresent()) {
        return earlier.getAsInt(); // a retry: the first answer, and nothing written again
      }
    }
    int result;
    if (operation instanceof Operation.Put put) {
      result = store.put(put.key(), put.value());
      if (result != VersionedStore.FAILED) {
        changes.add(new Change(Change.Kind.PUT, put.key(), result, put.value()));
      }
    } else {
      Operation.Remove remove = (Operation.Remove) operation;
      result = store.remove(remove.key(), remove.version());
      if (result != VersionedStore.FAILED) {
        Change.Kind kind =
            remove.removesAll() ? Change.Kind.REMOVE_ALL : Change.Kind.REMOVE_VERSION;
        changes.add(new Change(kind, remove.key(), result, null));
      }
    }
    requestId.ifPresent(id -> retries.remember(id, result));
    return result;
  }

  /**
   * Where this machine is, for a later repair from a peer's recent history: its position, a digest
   * of its whole state (store, duplicate filter, recent requests, stream time) and how far its
   * recent requests had come. Two machines with the same position and state digest are in the same
   * state.
   */
  public record Mark(
      long position, long stateDigest, long requestsAdded, long capEvictions, long streamTime) {}

  public Mark mark() {
    return new Mark(
        position, stateDigest(), retries.added(), retries.capEvictions(), retries.streamTime());
  }

  /** A digest of the whole state: equal state, equal digest (see {@link #mark}). */
  public long stateDigest() {
    long z = store.digest() * 31 + runsDigest;
    z = z * 31 + retries.digest();
    return z * 31 + position;
  }

  /**
   * What changed since {@code base}, one of this machine's own marks: the records of {@code keys},
   * which must hold every key written since, the recent requests added since, and the rest whole,
   * which {@link #repair} turns a machine that was in the state of {@code base} into this one.
   * Empty when a repair could not reproduce what happened since: the cap pushed requests out, or
   * the first timestamp came and re-dated the requests remembered before it.
   */
  public Optional<StateChanges> changesSince(Mark base, Collection<String> keys) {
    if (!repairableSince(base)) {
      return Optional.empty();
    }
    List<KeyRecord> records = new ArrayList<>(keys.size());
    new TreeSet<>(keys).forEach(key -> store.record(key).ifPresent(records::add));
    StateImage image =
        new StateImage(
            position,
            store.digest(),
            retries.streamTime(),
            runs(),
            retries.addedSince(base.requestsAdded()),
            records);
    return Optional.of(new StateChanges(base.position(), stateDigest(), image));
  }

  /**
   * Brings this machine, which was in the state of its own mark {@code base} and has applied only
   * entries of the stream since (some may be missing), to the state of the peer whose {@link
   * #changesSince} gave {@code changes}: the entries this machine applied since {@code base} are a
   * part of those the peer applied, so their keys and requests are among the changes. All that can
   * be checked beforehand is (the changes fit {@code base}, the content comes to the peer's
   * digest); the whole state's digest is checked after.
   *
   * @throws IllegalArgumentException when the changes cannot be taken; nothing changed
   * @throws IllegalStateException when the repaired state is not the peer's: it is then broken, and
   *     must be replaced whole
   */
  public void repair(Mark base, StateChanges changes) {
    StateImage image = changes.image();
    if (changes.base() != base.position()) {
      throw new IllegalArgumentException(
          "changes since position " + changes.base() + ", not " + base.position());
    }
    if (!repairableSince(base)) {
      throw new IllegalArgumentException(
          "the recent requests changed since position "
              + base.position()
              + " in a way a repair cannot redo");
    }
    long time = 0;
    for (RecentRequest request : image.requests()) {
      if (request.time() < time || request.time() > image.streamTime()) {
        throw new IllegalArgumentException("the changes' requests are not in stream-time order");
      }
      time = request.time();
    }
    long content = store.digestReplacing(image.keys());
    if (content != image.digest()) {
      throw new IllegalArgumentException(
          String.format(
              "the changes would make the content's digest %016x, not the peer's %016x",
              content, image.digest()));
    }
    retries.truncateTo(base.requestsAdded());
    retries.replay(image.requests());
    retries.advance(image.streamTime());
    image.keys().forEach(store::replace);
    setRuns(image.runs());
    position = image.position();
    if (stateDigest() != changes.stateDigest()) {
      throw new IllegalStateException(
          String.format(
              "the repaired state's digest %016x is not the peer's %016x",
              stateDigest(), changes.stateDigest()));
    }
  }

  // The cap pushing requests out, or the first timestamp re-dating those remembered before it,
  // cannot be redone from the requests added since.
  private boolean repairableSince(Mark base) {
    return retries.capEvictions() == base.capEvictions()
        && !(base.streamTime() == 0 && base.requestsAdded() > 0 && retries.streamTime() > 0);
  }

  private List<RunSequence> runs() {
    List<RunSequence> runs = new ArrayList<>(lastSequence.size());
    lastSequence.forEach((run, last) -> runs.add(new RunSequence(run.origin(), run.run(), last)));
    runs.sort(Comparator.comparing(RunSequence::origin).thenComparing(RunSequence::run));
    return runs;
  }

  private void setRuns(List<RunSequence> runs) {
    lastSequence.clear();
    runsDigest = 0;
    for (RunSequence r : runs) {
      Run run = new Run(r.origin(), r.run());
      lastSequence.put(run, r.lastSequence());
      runsDigest += runTerm(run, r.lastSequence());
    }
  }

  private static long runTerm(Run run, long last) {
    return Mix64.mix(
        (run.origin().hashCode() * 31L + run.run().hashCode()) * 0x9E3779B97F4A7C15L + last);
  }

  /** One run of one origin server: the scope of a sequence number. */
  private record Run(String origin, String run) {}

  /**
   * The outcome of applying one message.
   *
   * @param duplicate true when the message had been applied before and was ignored
   * @param results one store answer per operation, in order; empty for a duplicate
   * @param changes what the operations changed, in order: one per operation that changed the store
   */
  public record Applied(boolean duplicate, List<Integer> results, List<Change> changes) {
    /** The outcome for a message that had been applied before. */
    public static final Applied DUPLICATE = new Applied(true, List.of(), List.of());
  }
}
