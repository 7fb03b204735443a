package kvs.core.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import kvs.core.KeyRecord;

/**
 * One piece of a state transfer: a bounded slice of the keys and of the recent requests of a {@link
 * StateImage}; the first piece also carries the duplicate filter. Every piece carries the image's
 * position, digest and stream time. Sent on the requester's reply topic.
 *
 * @param requestId the {@link StateRequest} this answers
 * @param from the answering server
 * @param index 0-based
 * @param total number of chunks of this answer
 * @param streamTime the image's stream time
 * @param base {@link #WHOLE} when the image is a whole state; otherwise the position the
 *     requester's state had in common with ours, and the image holds only what changed since (see
 *     {@link StateMachine#changesSince})
 * @param stateDigest with changes, the state digest the requester must come to ({@link
 *     StateChanges#stateDigest}); 0 with a whole state
 */
public record StateChunk(
    String requestId,
    String from,
    int index,
    int total,
    long position,
    long digest,
    long streamTime,
    List<RunSequence> runs,
    List<RecentRequest> requests,
    List<KeyRecord> keys,
    long base,
    long stateDigest) {

  /** The {@code base} of a whole state. */
  public static final long WHOLE = -1;

  /**
   * The most recent requests per chunk by default: 60 s of them at 45,000 writes/s would make one
   * chunk of about 150 MB; 20,000 make about 1 MB of JSON.
   */
  public static final int REQUESTS_PER_CHUNK = 20_000;

  public StateChunk {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(from, "from");
    runs = List.copyOf(runs);
    requests = List.copyOf(requests);
    keys = List.copyOf(keys);
    if (total < 1 || index < 0 || index >= total) {
      throw new IllegalArgumentException("chunk " + index + " of " + total);
    }
    if (streamTime < 0) {
      throw new IllegalArgumentException("streamTime must be >= 0: " + streamTime);
    }
    if (base < WHOLE || base > position) {
      throw new IllegalArgumentException(
          "base must be " + WHOLE + " or a position up to " + position + ": " + base);
    }
  }

  /** A chunk of a whole state. */
  public StateChunk(
      String requestId,
      String from,
      int index,
      int total,
      long position,
      long digest,
      long streamTime,
      List<RunSequence> runs,
      List<RecentRequest> requests,
      List<KeyRecord> keys) {
    this(
        requestId,
        from,
        index,
        total,
        position,
        digest,
        streamTime,
        runs,
        requests,
        keys,
        WHOLE,
        0);
  }

  /** True when this is a piece of the changes since {@link #base}, not of a whole state. */
  public boolean isChanges() {
    return base != WHOLE;
  }

  /**
   * Cuts {@code image} into chunks of at most {@code keysPerChunk} keys and {@link
   * #REQUESTS_PER_CHUNK} recent requests.
   */
  public static List<StateChunk> split(
      String requestId, String from, StateImage image, int keysPerChunk) {
    return split(requestId, from, image, keysPerChunk, REQUESTS_PER_CHUNK);
  }

  /**
   * Cuts {@code image} into as few chunks as hold at most {@code keysPerChunk} keys and {@code
   * requestsPerChunk} recent requests each, both in order.
   */
  public static List<StateChunk> split(
      String requestId, String from, StateImage image, int keysPerChunk, int requestsPerChunk) {
    return split(requestId, from, image, keysPerChunk, requestsPerChunk, Long.MAX_VALUE);
  }

  /**
   * Cuts {@code image} as {@link #split(String, String, StateImage, int, int)}, and so that each
   * chunk's keys take at most {@code keyBytesPerChunk} bytes as JSON (a key with its whole history
   * is never cut: one larger than that goes alone).
   */
  public static List<StateChunk> split(
      String requestId,
      String from,
      StateImage image,
      int keysPerChunk,
      int requestsPerChunk,
      long keyBytesPerChunk) {
    return split(
        requestId, from, image, keysPerChunk, requestsPerChunk, keyBytesPerChunk, WHOLE, 0);
  }

  /** Cuts {@code changes} into chunks, as {@link #split(String, String, StateImage, int, int)}. */
  public static List<StateChunk> split(
      String requestId, String from, StateChanges changes, int keysPerChunk, int requestsPerChunk) {
    return split(requestId, from, changes, keysPerChunk, requestsPerChunk, Long.MAX_VALUE);
  }

  /**
   * Cuts {@code changes} into chunks, as {@link #split(String, String, StateImage, int, int,
   * long)}.
   */
  public static List<StateChunk> split(
      String requestId,
      String from,
      StateChanges changes,
      int keysPerChunk,
      int requestsPerChunk,
      long keyBytesPerChunk) {
    return split(
        requestId,
        from,
        changes.image(),
        keysPerChunk,
        requestsPerChunk,
        keyBytesPerChunk,
        changes.base(),
        changes.stateDigest());
  }

  private static List<StateChunk> split(
      String requestId,
      String from,
      StateImage image,
      int keysPerChunk,
      int requestsPerChunk,
      long keyBytesPerChunk,
      long base,
      long stateDigest) {
    if (keysPerChunk < 1 || requestsPerChunk < 1) {
      throw new IllegalArgumentException("at least one key and one request per chunk");
    }
    List<List<KeyRecord>> keys = groups(image.keys(), keysPerChunk, keyBytesPerChunk);
    List<RecentRequest> requests = image.requests();
    int total = Math.max(1, Math.max(keys.size(), chunksFor(requests.size(), requestsPerChunk)));
    List<StateChunk> chunks = new ArrayList<>(total);
    for (int i = 0; i < total; i++) {
      chunks.add(
          new StateChunk(
              requestId,
              from,
              i,
              total,
              image.position(),
              image.digest(),
              image.streamTime(),
              i == 0 ? image.runs() : List.of(),
              slice(requests, i, requestsPerChunk),
              i < keys.size() ? keys.get(i) : List.of(),
              base,
              stateDigest));
    }
    return chunks;
  }

  /**
   * Puts the chunks of one answer, in index order, back together; rejects a list that is not
   * exactly every chunk of one answer (same request, sender, position, digest and stream time) in
   * order.
   */
  public static StateImage assemble(List<StateChunk> chunks) {
    if (chunks.isEmpty()) {
      throw new IllegalArgumentException("no chunks");
    }
    StateChunk first = chunks.get(0);
    List<RecentRequest> requests = new ArrayList<>();
    List<KeyRecord> keys = new ArrayList<>();
    for (int i = 0; i < chunks.size(); i++) {
      StateChunk chunk = chunks.get(i);
      if (chunk.index() != i
          || chunk.total() != chunks.size()
          || !chunk.requestId().equals(first.requestId())
          || !chunk.from().equals(first.from())
          || chunk.position() != first.position()
          || chunk.digest() != first.digest()
          || chunk.streamTime() != first.streamTime()
          || chunk.base() != first.base()
          || chunk.stateDigest() != first.stateDigest()) {
        throw new IllegalArgumentException("chunks do not form one answer");
      }
      requests.addAll(chunk.requests());
      keys.addAll(chunk.keys());
    }
    return new StateImage(
        first.position(), first.digest(), first.streamTime(), first.runs(), requests, keys);
  }

  /**
   * Puts the chunks of one answer of changes back together, as {@link #assemble}.
   *
   * @throws IllegalArgumentException also when they are chunks of a whole state
   */
  public static StateChanges assembleChanges(List<StateChunk> chunks) {
    StateImage image = assemble(chunks);
    StateChunk first = chunks.get(0);
    if (!first.isChanges()) {
      throw new IllegalArgumentException("a whole state, not changes");
    }
    return new StateChanges(first.base(), first.stateDigest(), image);
  }

  /** Consecutive groups of at most {@code count} keys and {@code bytes} (or one key alone). */
  private static List<List<KeyRecord>> groups(List<KeyRecord> keys, int count, long bytes) {
    List<List<KeyRecord>> groups = new ArrayList<>();
    int start = 0;
    long size = 0;
    for (int i = 0; i < keys.size(); i++) {
      long keySize = encodedSize(keys.get(i));
      if (i > start && (i - start == count || size + keySize > bytes)) {
        groups.add(keys.subList(start, i));
        start = i;
        size = 0;
      }
      size += keySize;
    }
    if (start < keys.size()) {
      groups.add(keys.subList(start, keys.size()));
    }
    return groups;
  }

  /** At most the bytes {@code key} takes in a chunk's JSON, with every version it holds. */
  static long encodedSize(KeyRecord key) {
    long size = 32 + SizeLimits.jsonLength(key.key());
    for (String value : key.versions().values()) {
      size += 16 + SizeLimits.jsonLength(value);
    }
    return size;
  }

  private static int chunksFor(int items, int perChunk) {
    return (int) ((items + (long) perChunk - 1) / perChunk);
  }

  private static <T> List<T> slice(List<T> items, int index, int perChunk) {
    long from = (long) index * perChunk;
    if (from >= items.size()) {
      return List.of();
    }
    return items.subList((int) from, (int) Math.min(items.size(), from + perChunk));
  }
}
