package kvs.server.replication;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import kvs.core.replication.Heartbeat;
import kvs.core.replication.MalformedMessageException;
import kvs.core.replication.MessageCodec;
import kvs.core.replication.Presence;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.StateRequest;
import kvs.core.replication.StreamMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes everything the transport delivers, in order, as stream tasks, and hands it to the part that
 * deals with it. Whatever arrives, the server survives: unreadable messages are logged, counted and
 * skipped; with a cluster key, replayed ones are rejected (see {@link ReplayFilter}).
 */
public final class StreamRouter implements ReplicationTransport.Listener {
  private static final Logger log = LoggerFactory.getLogger(StreamRouter.class);

  private final MessageCodec codec;
  private final WritePublisher publisher;
  private final WritesApplier writes;
  private final CatchUp catchUp;
  private final Heartbeats heartbeats;
  private final Membership membership;
  private final AtomicLong skipped = new AtomicLong();
  private final QuietLog malformedLog = new QuietLog(Ticker.SYSTEM, log::warn);
  private final Rejections rejections;
  private final Optional<ReplayFilter> replays;
  private final StreamCounts counts;

  public StreamRouter(
      MessageCodec codec,
      WritePublisher publisher,
      WritesApplier writes,
      CatchUp catchUp,
      Heartbeats heartbeats,
      Membership membership,
      Rejections rejections,
      Optional<ReplayFilter> replays,
      StreamCounts counts) {
    this.counts = counts;
    this.codec = codec;
    this.publisher = publisher;
    this.writes = writes;
    this.rejections = rejections;
    this.replays = replays;
    this.catchUp = catchUp;
    this.heartbeats = heartbeats;
    this.membership = membership;
  }

  @Override
  public void onStreamMessage(byte[] payload) {
    StreamMessage message;
    try {
      message = codec.decode(payload);
    } catch (MalformedMessageException e) {
      skip("unknown", e);
      return;
    }
    Optional<String> replay = replays.flatMap(filter -> filter.replayed(message));
    if (replay.isPresent()) {
      rejections.reject(message.origin(), replay.get()); // counted there
      return;
    }
    if (message instanceof ReplicationMessage entry) {
      publisher.onArrived(entry);
      if (catchUp.buffering()) {
        catchUp.buffer(entry);
      } else {
        resyncIf(writes.apply(entry));
        heartbeats.publishIfProgressed();
      }
    } else if (message instanceof StateRequest request) {
      counts.message("state-request", "accepted");
      catchUp.onRequest(request);
    } else if (message instanceof Heartbeat heartbeat) {
      counts.message("heartbeat", "accepted");
      catchUp.onHeartbeat(heartbeat);
      resyncIf(heartbeats.check(heartbeat));
      publisher.resume(); // a peer that held us back may have moved on
    }
  }

  @Override
  public void onStateChunk(byte[] payload) {
    try {
      catchUp.onChunk(codec.decodeChunk(payload));
      counts.message("state-chunk", "accepted");
    } catch (MalformedMessageException e) {
      skip("state-chunk", e);
    }
  }

  @Override
  public void onConnected(boolean firstConnect, boolean sessionResumed) {
    if (firstConnect) {
      catchUp.start("starting");
    } else if (!sessionResumed) {
      catchUp.start("the broker had lost our session, so messages may have been lost");
    }
  }

  @Override
  public void onPresence(String member, byte[] payload) {
    if (payload.length == 0) {
      membership.update(member, Optional.empty());
    } else {
      try {
        membership.update(member, Optional.of(Presence.decode(payload)));
      } catch (MalformedMessageException e) {
        skip("presence", e);
        return;
      }
    }
    counts.message("presence", "accepted");
    catchUp.onMembershipChanged();
    publisher.resume(); // a peer that held us back may have gone
  }

  /** How many malformed messages were skipped. */
  public long skippedMessages() {
    return skipped.get();
  }

  private void resyncIf(Optional<String> problem) {
    if (problem.isPresent() && catchUp.caughtUp()) {
      catchUp.start(problem.get());
    }
  }

  private void skip(String kind, MalformedMessageException e) {
    counts.message(kind, "malformed");
    long count = skipped.incrementAndGet();
    malformedLog.log(
        e.origin().orElse("unknown"),
        (origin, heldBack) ->
            "Skipped a malformed replication message (origin "
                + origin
                + ", "
                + count
                + " skipped so far"
                + (heldBack == 0 ? "" : ", " + heldBack + " from it since the last line")
                + "; at most one line a minute per origin): "
                + e.getMessage());
  }
}
