package kvs.core.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import kvs.core.KeyRecord;

/**
 * One piece of a state transfer: a bounded slice of the keys of a {@link StateImage}; the first
 * piece also carries the duplicate filter and the recent request ids. Sent on the requester's reply
 * topic.
 *
 * @param requestId the {@link StateRequest} this answers
 * @param from the answering server
 * @param index 0-based
 * @param total number of chunks of this answer
 */
public record StateChunk(
    String requestId,
    String from,
    int index,
    int total,
    long position,
    long digest,
    List<RunSequence> runs,
    List<RecentRequest> requests,
    List<KeyRecord> keys) {
  public StateChunk {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(from, "from");
    runs = List.copyOf(runs);
    requests = List.copyOf(requests);
    keys = List.copyOf(keys);
    if (total < 1 || index < 0 || index >= total) {
      throw new IllegalArgumentException("chunk " + index + " of " + total);
    }
  }

  /** Cuts {@code image} into chunks of at most {@code keysPerChunk} keys. */
  public static List<StateChunk> split(String requestId, String from, StateImage image, int keysPerChunk) {
    List<KeyRecord> keys = image.keys();
    int total = Math.max(1, (keys.size() + keysPerChunk - 1) / keysPerChunk);
    List<StateChunk> chunks = new ArrayList<>(total);
    for (int i = 0; i < total; i++) {
      List<KeyRecord> slice = keys.subList(i * keysPerChunk, Math.min(keys.size(), (i + 1) * keysPerChunk));
      chunks.add(
          new StateChunk(
              requestId,
              from,
              i,
              total,
              image.position(),
              image.digest(),
              i == 0 ? image.runs() : List.of(),
              i == 0 ? image.requests() : List.of(),
              slice));
    }
    return chunks;
  }

  /**
   * Puts the chunks of one answer, in index order, back together; rejects a list that is not
   * exactly every chunk of one answer (same request, sender, position and digest) in order.
   */
  public static StateImage assemble(List<StateChunk> chunks) {
    if (chunks.isEmpty()) {
      throw new IllegalArgumentException("no chunks");
    }
    StateChunk first = chunks.get(0);
    List<KeyRecord> keys = new ArrayList<>();
    for (int i = 0; i < chunks.size(); i++) {
      StateChunk chunk = chunks.get(i);
      if (chunk.index() != i
          || chunk.total() != chunks.size()
          || !chunk.requestId().equals(first.requestId())
          || !chunk.from().equals(first.from())
          || chunk.position() != first.position()
          || chunk.digest() != first.digest()) {
        throw new IllegalArgumentException("chunks do not form one answer");
      }
      keys.addAll(chunk.keys());
    }
    return new StateImage(first.position(), first.digest(), first.runs(), first.requests(), keys);
  }
}
