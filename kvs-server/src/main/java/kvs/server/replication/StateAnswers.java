package kvs.server.replication;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import kvs.core.replication.StateChanges;
import kvs.core.replication.StateChunk;
import kvs.core.replication.StateImage;

/**
 * The chunks of peers' answers to our state requests, by request and peer, as they arrive (in any
 * order, some twice). Stream tasks only.
 */
final class StateAnswers {
  // request id -> peer -> chunks by index
  private final Map<String, Map<String, TreeMap<Integer, StateChunk>>> byRequest = new HashMap<>();

  /** Records a chunk; a redelivered one replaces itself. */
  void add(StateChunk chunk) {
    byRequest
        .computeIfAbsent(chunk.requestId(), id -> new HashMap<>())
        .computeIfAbsent(chunk.from(), from -> new TreeMap<>())
        .put(chunk.index(), chunk);
  }

  /** True once every chunk of {@code peer}'s answer to {@code requestId} is here. */
  boolean complete(String requestId, String peer) {
    TreeMap<Integer, StateChunk> chunks = chunks(requestId).get(peer);
    return chunks != null && isComplete(chunks);
  }

  /** True when some answer to {@code requestId} has begun to arrive and is not complete. */
  boolean anyIncomplete(String requestId) {
    return chunks(requestId).values().stream().anyMatch(c -> !isComplete(c));
  }

  /** True when no chunk of any answer to {@code requestId} arrived. */
  boolean none(String requestId) {
    return chunks(requestId).isEmpty();
  }

  /** What each complete answer to {@code requestId} says of itself, from its first chunk. */
  List<StateChoice.Offer> completeOffers(String requestId) {
    return chunks(requestId).values().stream()
        .filter(StateAnswers::isComplete)
        .map(c -> c.firstEntry().getValue())
        .map(first -> new StateChoice.Offer(first.from(), first.position(), first.digest()))
        .toList();
  }

  /** True when {@code peer}'s answer holds changes since a point of ours, not a whole state. */
  boolean isChanges(String requestId, String peer) {
    return chunks(requestId).get(peer).firstEntry().getValue().isChanges();
  }

  /**
   * The changes of {@code peer}'s complete answer to {@code requestId}.
   *
   * @throws IllegalArgumentException when its chunks do not make one answer of changes
   */
  StateChanges assembleChanges(String requestId, String peer) {
    return StateChunk.assembleChanges(new ArrayList<>(chunks(requestId).get(peer).values()));
  }

  /**
   * The state of {@code peer}'s complete answer to {@code requestId}.
   *
   * @throws IllegalArgumentException when its chunks do not make one state
   */
  StateImage assemble(String requestId, String peer) {
    return StateChunk.assemble(new ArrayList<>(chunks(requestId).get(peer).values()));
  }

  /** Forgets every answer. */
  void clear() {
    byRequest.clear();
  }

  private Map<String, TreeMap<Integer, StateChunk>> chunks(String requestId) {
    return byRequest.getOrDefault(requestId, Map.of());
  }

  private static boolean isComplete(TreeMap<Integer, StateChunk> chunks) {
    return !chunks.isEmpty() && chunks.size() == chunks.firstEntry().getValue().total();
  }
}
