package kvs.server.replication;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import kvs.core.replication.MessageCodec;
import kvs.core.replication.SizeLimits;
import kvs.core.replication.StateChanges;
import kvs.core.replication.StateChunk;
import kvs.core.replication.StateImage;
import kvs.core.replication.StateRequest;
import kvs.server.state.Replica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers peers' state requests: our state as of the request's place in the stream, in chunks, to
 * the requester's reply topic; only what changed since a point of the requester's past that we
 * shared, when the request names one we still know, and otherwise all of it. The state is taken in
 * the stream task; splitting and sending happen on {@code sender}, so the stream goes on meanwhile.
 */
public final class StateSender {
  private static final Logger log = LoggerFactory.getLogger(StateSender.class);

  /** Keys per state-transfer chunk: small messages, few of them (100,000 keys: 20 chunks). */
  static final int KEYS_PER_CHUNK = 5000;

  /** How many answered request ids are remembered, to recognize a redelivered request. */
  private static final int REMEMBERED = 1000;

  private final String serverId;
  private final Replica replica;
  private final ReplicationTransport transport;
  private final MessageCodec codec;
  private final Executor sender;
  private final long keyBytesPerChunk;
  private final int requestsPerChunk;
  private final Set<String> answered = new LinkedHashSet<>(); // stream tasks only

  /**
   * @param sender where answers are split and sent, off the stream
   * @param limits the largest message: no chunk may be larger
   */
  public StateSender(
      String serverId,
      Replica replica,
      ReplicationTransport transport,
      MessageCodec codec,
      Executor sender,
      SizeLimits limits) {
    // Half a message for keys, a quarter for recent requests (a request id with its answers takes
    // about 100 bytes; ids of a few hundred bytes still fit), the rest for the header and runs.
    this.keyBytesPerChunk = limits.maxMessageBytes() / 2;
    this.requestsPerChunk =
        Math.max(1, Math.min(StateChunk.REQUESTS_PER_CHUNK, limits.maxMessageBytes() / 4 / 400));
    this.serverId = serverId;
    this.replica = replica;
    this.transport = transport;
    this.codec = codec;
    this.sender = sender;
  }

  /**
   * True the first time {@code request} is seen, false when it is redelivered: answering again, at
   * a later position, would mix two states in one answer.
   */
  boolean firstTime(StateRequest request) {
    if (!answered.add(request.requestId())) {
      return false;
    }
    if (answered.size() > REMEMBERED) {
      answered.remove(answered.iterator().next());
    }
    return true;
  }

  /** Sends our state as it is now, which must be our state at the request's place in the stream. */
  void answer(StateRequest request) {
    Optional<StateChanges> changes =
        request.since().isEmpty() ? Optional.empty() : replica.changesSince(request.since());
    StateImage image = changes.map(StateChanges::image).orElseGet(replica::image);
    if (changes.isPresent()) {
      log.info(
          "Sending the changes from position {} to {} ({} keys) to {}",
          changes.get().base(),
          image.position(),
          image.keys().size(),
          request.origin());
    } else {
      log.info(
          "Sending our state at position {} ({} keys) to {}{}",
          image.position(),
          image.keys().size(),
          request.origin(),
          request.since().isEmpty() ? "" : " (we share no recent point with it)");
    }
    sender.execute(
        () -> {
          List<StateChunk> chunks =
              changes.isPresent()
                  ? StateChunk.split(
                      request.requestId(),
                      serverId,
                      changes.get(),
                      KEYS_PER_CHUNK,
                      requestsPerChunk,
                      keyBytesPerChunk)
                  : StateChunk.split(
                      request.requestId(),
                      serverId,
                      image,
                      KEYS_PER_CHUNK,
                      requestsPerChunk,
                      keyBytesPerChunk);
          for (StateChunk chunk : chunks) {
            transport
                .sendState(request.replyTopic(), codec.encodeChunk(chunk))
                .whenComplete(
                    (ok, error) -> {
                      if (error != null) {
                        log.warn(
                            "Sending state to {} failed: {}", request.origin(), error.toString());
                      }
                    });
          }
        });
  }
}
