package kvs.core.replication;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a replica remembers of its recent past, position by position: its {@link StateMachine.Mark}
 * and store digest after each entry, and the keys each entry wrote. With it a server checks a
 * peer's heartbeat against its own digest at the peer's position, names points of its past when it
 * asks for a repair, and answers a peer that shares one of them with only the keys written since.
 * Bounded: the last {@code positions} entries, and the keys of at most {@code maxKeys} operations
 * among them (older entries keep their mark, not their keys). Not thread-safe.
 */
public final class RecentHistory {
  /** How many of the newest positions a repair request names one by one, before spacing out. */
  static final int DENSE_POINTS = 16;

  private final int capacity;
  private final int maxKeys;
  private final long[] storeDigests;
  private final StateMachine.Mark[] marks;
  private final String[][] keys;
  private long newest = -1; // the newest position held, -1 when none
  private long oldest; // the oldest position held
  private long keysFrom; // the oldest position whose entry's keys are held
  private long keyCount;

  public RecentHistory(int positions, int maxKeys) {
    if (positions < 1 || maxKeys < 1) {
      throw new IllegalArgumentException("positions and maxKeys must be >= 1");
    }
    this.capacity = positions;
    this.maxKeys = maxKeys;
    this.storeDigests = new long[positions];
    this.marks = new StateMachine.Mark[positions];
    this.keys = new String[positions][];
  }

  /**
   * Forgets everything and starts again at {@code mark}: after the state was replaced (a transfer,
   * a repair, a recovery), the past before it is not this replica's.
   */
  public void restartAt(StateMachine.Mark mark, long storeDigest) {
    Arrays.fill(keys, null);
    keyCount = 0;
    newest = mark.position();
    oldest = newest;
    keysFrom = newest + 1;
    put(mark, storeDigest, new String[0]);
  }

  /** Records the entry just applied, which brought the machine to {@code mark}. */
  public void record(StateMachine.Mark mark, long storeDigest, ReplicationMessage entry) {
    if (newest < 0 || mark.position() != newest + 1) {
      restartAt(mark, storeDigest); // not the next position: the past in between is unknown
      return;
    }
    newest = mark.position();
    if (newest - oldest >= capacity) {
      long leaving = oldest++;
      if (leaving >= keysFrom) {
        dropKeysOf(leaving);
        keysFrom = leaving + 1;
      }
    }
    String[] written = new String[entry.operations().size()];
    for (int i = 0; i < written.length; i++) {
      written[i] = keyOf(entry.operations().get(i));
    }
    put(mark, storeDigest, written);
    keyCount += written.length;
    while (keyCount > maxKeys && keysFrom < newest) {
      dropKeysOf(keysFrom++);
    }
  }

  /** The store digest at {@code position}, while it is held. */
  public OptionalLong storeDigestAt(long position) {
    return holds(position) ? OptionalLong.of(storeDigests[slot(position)]) : OptionalLong.empty();
  }

  /** The mark at {@code position}, while it is held. */
  public Optional<StateMachine.Mark> markAt(long position) {
    return holds(position) ? Optional.of(marks[slot(position)]) : Optional.empty();
  }

  /**
   * Points of the recent past for a repair request, newest first: the newest {@link #DENSE_POINTS}
   * positions one by one, then ever further apart (twice as far each time), down to the oldest held
   * (the requester needs only its mark there, not the keys since); at most {@link
   * StateRequest#MAX_POINTS}.
   */
  public List<StateRequest.Point> points() {
    List<StateRequest.Point> points = new ArrayList<>();
    if (newest < 0) {
      return points;
    }
    long step = 1;
    for (long p = newest; p >= oldest && points.size() < StateRequest.MAX_POINTS; p -= step) {
      points.add(new StateRequest.Point(p, marks[slot(p)].stateDigest()));
      if (points.size() >= DENSE_POINTS) {
        step *= 2;
      }
    }
    return points;
  }

  /**
   * The newest of {@code points} where this replica was in the same state (same position and state
   * digest) and whose keys written since are all held, with those keys.
   */
  public Optional<Shared> sharedPoint(List<StateRequest.Point> points) {
    for (StateRequest.Point point :
        points.stream().sorted((a, b) -> Long.compare(b.position(), a.position())).toList()) {
      long p = point.position();
      if (holds(p) && p >= keysFrom - 1 && marks[slot(p)].stateDigest() == point.stateDigest()) {
        Set<String> written = new HashSet<>();
        for (long q = p + 1; q <= newest; q++) {
          for (String key : keys[slot(q)]) {
            written.add(key);
          }
        }
        return Optional.of(new Shared(marks[slot(p)], written));
      }
    }
    return Optional.empty();
  }

  /** A point shared with a peer, and the keys written since it. */
  public record Shared(StateMachine.Mark mark, Set<String> keysWritten) {}

  private boolean holds(long position) {
    return newest >= 0 && position >= oldest && position <= newest;
  }

  private void put(StateMachine.Mark mark, long storeDigest, String[] written) {
    int slot = slot(mark.position());
    storeDigests[slot] = storeDigest;
    marks[slot] = mark;
    keys[slot] = written;
  }

  private void dropKeysOf(long position) {
    int slot = slot(position);
    if (keys[slot] != null) {
      keyCount -= keys[slot].length;
      keys[slot] = null;
    }
  }

  private int slot(long position) {
    return (int) (position % capacity);
  }

  private static String keyOf(Operation operation) {
    return operation instanceof Operation.Put put
        ? put.key()
        : ((Operation.Remove) operation).key();
  }
}
