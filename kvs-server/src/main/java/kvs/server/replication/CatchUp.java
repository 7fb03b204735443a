package kvs.server.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import kvs.core.replication.MessageCodec;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.StateChunk;
import kvs.core.replication.StateImage;
import kvs.core.replication.StateMachine;
import kvs.core.replication.StateRequest;
import kvs.core.replication.StreamMessage;
import kvs.server.Replica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings this server's state in line with its peers', through the stream itself: the server
 * publishes a {@link StateRequest} on the ordered stream; the request's position in the stream is
 * the cut. Every server that reaches the request sends its whole state as of that point to our
 * reply topic. We keep applying the stream until we reach our own request, then buffer what comes
 * after it; once the answers are in, we take the most advanced state (ours included: highest
 * position; on a tie of positions with different content, the smallest server id), install it if
 * it is not ours, and apply the buffer. Until then the server is not caught up: it answers nothing
 * but UNAVAILABLE.
 *
 * <p>Because every server applies the same stream, any peer's answer as of the cut is the right
 * continuation of the stream after it. Runs on the apply thread only (except {@link #caughtUp}).
 */
public final class CatchUp {
  private static final Logger log = LoggerFactory.getLogger(CatchUp.class);

  /** Keys per state-transfer chunk: small messages, few of them (100,000 keys: 20 chunks). */
  static final int KEYS_PER_CHUNK = 5000;

  /** After the first complete answer, how long to wait for other peers' answers. */
  static final Duration ANSWER_GRACE = Duration.ofMillis(300);

  private enum Phase {
    IDLE,
    REQUESTED,
    BUFFERING
  }

  private final ReplicaIdentity identity;
  private final Replica replica;
  private final WritesApplier writes;
  private final ReplicationTransport transport;
  private final MessageCodec codec;
  private final ScheduledExecutorService applyThread;
  private final Executor sender;
  private final PeerTable peers;
  private final EntryLog entryLog;
  private final Duration timeout;
  private final AtomicLong resyncs = new AtomicLong();

  private volatile boolean caughtUp;
  private Phase phase = Phase.IDLE;
  private String requestId;
  private String reason;
  private long startedNanos;
  private long cutPosition;
  private long cutDigest;
  private final List<StreamMessage> buffered = new ArrayList<>(); // writes and others' requests
  private final Map<String, TreeMap<Integer, StateChunk>> answers = new HashMap<>(); // by peer, by index
  private long firstAnswerNanos;
  private ScheduledFuture<?> timer;

  public CatchUp(
      ReplicaIdentity identity,
      Replica replica,
      WritesApplier writes,
      ReplicationTransport transport,
      MessageCodec codec,
      ScheduledExecutorService applyThread,
      Executor sender,
      PeerTable peers,
      EntryLog entryLog,
      Duration timeout) {
    this.identity = identity;
    this.replica = replica;
    this.writes = writes;
    this.transport = transport;
    this.codec = codec;
    this.applyThread = applyThread;
    this.sender = sender;
    this.peers = peers;
    this.entryLog = entryLog;
    this.timeout = timeout;
  }

  /** True when this server may serve: it has caught up and is not re-syncing. Any thread. */
  public boolean caughtUp() {
    return caughtUp;
  }

  /** True between our own request's place in the stream and the decision: writes wait. */
  public boolean buffering() {
    return phase == Phase.BUFFERING;
  }

  /** How many times this server re-synchronized after it had caught up once. */
  public long resyncs() {
    return resyncs.get();
  }

  /** Starts catching up, unless it already is; {@code why} goes to the log. */
  public void start(String why) {
    if (phase != Phase.IDLE) {
      return;
    }
    if (caughtUp) {
      resyncs.incrementAndGet();
      log.warn("Re-synchronizing from peers: {}", why);
    } else {
      log.info("Catching up from peers before serving ({})", why);
    }
    caughtUp = false;
    reason = why;
    startedNanos = System.nanoTime();
    sendRequest();
  }

  /** Buffers a write entry that comes after our cut. */
  public void buffer(ReplicationMessage message) {
    buffered.add(message);
  }


  /** A state request reached us in the stream: ours marks the cut; others' we answer. */
  public void onRequest(StateRequest request) {
    boolean ours = request.origin().equals(identity.serverId()) && request.run().equals(identity.run());
    if (ours) {
      if (phase == Phase.REQUESTED && request.requestId().equals(requestId)) {
        phase = Phase.BUFFERING;
        cutPosition = replica.position();
        cutDigest = replica.digest();
        buffered.clear();
        reschedule(timeout, this::decide);
        maybeDecide();
      }
      return;
    }
    if (phase == Phase.BUFFERING) {
      // Our state as of this point is not decided yet: answer when the buffer is replayed.
      buffered.add(request);
    } else {
      answer(request);
    }
  }

  /** A chunk of some peer's answer to one of our requests arrived. */
  public void onChunk(StateChunk chunk) {
    if (phase == Phase.IDLE || !chunk.requestId().equals(requestId)) {
      return; // an answer to a request we gave up on
    }
    TreeMap<Integer, StateChunk> chunks = answers.computeIfAbsent(chunk.from(), from -> new TreeMap<>());
    chunks.put(chunk.index(), chunk); // a redelivered chunk replaces itself
    if (isComplete(chunks) && firstAnswerNanos == 0) {
      firstAnswerNanos = System.nanoTime();
      applyThread.schedule(this::maybeDecide, ANSWER_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }
    maybeDecide();
  }

  private void sendRequest() {
    phase = Phase.REQUESTED;
    requestId = UUID.randomUUID().toString();
    answers.clear();
    firstAnswerNanos = 0;
    StateRequest request =
        new StateRequest(identity.serverId(), identity.run(), requestId, transport.replyTopic());
    if (transport.isConnected()) {
      transport
          .publish(codec.encode(request))
          .whenComplete(
              (ok, error) -> {
                if (error != null) {
                  log.warn("Publishing a state request failed ({}); will retry", error.toString());
                }
              });
    }
    // If the request never comes back to us (lost, or no broker), ask again.
    reschedule(timeout, this::sendRequestAgain);
  }

  private void sendRequestAgain() {
    if (phase == Phase.REQUESTED) {
      log.info("Our state request did not come back within {} ms; asking again", timeout.toMillis());
      sendRequest();
    }
  }

  private void answer(StateRequest request) {
    StateImage image = replica.image();
    log.info(
        "Sending our state at position {} ({} keys) to {}", image.position(), image.keys().size(), request.origin());
    sender.execute(
        () -> {
          for (StateChunk chunk : StateChunk.split(request.requestId(), identity.serverId(), image, KEYS_PER_CHUNK)) {
            transport
                .sendState(request.replyTopic(), codec.encodeChunk(chunk))
                .whenComplete(
                    (ok, error) -> {
                      if (error != null) {
                        log.warn("Sending state to {} failed: {}", request.origin(), error.toString());
                      }
                    });
          }
        });
  }

  private void maybeDecide() {
    if (phase != Phase.BUFFERING) {
      return;
    }
    long complete = answers.values().stream().filter(CatchUp::isComplete).count();
    if (complete == 0) {
      return;
    }
    List<String> livePeers =
        peers.heardWithin(Duration.ofSeconds(3)).stream()
            .map(p -> p.heartbeat().origin())
            .filter(id -> !id.equals(identity.serverId()))
            .toList();
    // With no heartbeat heard yet (a fresh start), we do not know who else there is: wait the grace.
    boolean everyLivePeerAnswered =
        !livePeers.isEmpty()
            && livePeers.stream().allMatch(id -> answers.containsKey(id) && isComplete(answers.get(id)));
    boolean graceOver = System.nanoTime() - firstAnswerNanos >= ANSWER_GRACE.toNanos();
    if (everyLivePeerAnswered || graceOver) {
      decide();
    }
  }

  /** Takes the most advanced state, installs it if it is not ours, applies the buffer, serves. */
  private void decide() {
    if (phase != Phase.BUFFERING) {
      return;
    }
    Optional<Chosen> best = bestAnswer();
    String outcome;
    if (best.isPresent()) {
      StateImage image = best.get().image();
      replica.install(best.get().machine());
      entryLog.replaceWith(image);
      outcome = "installed a peer's state at position " + image.position() + " (" + image.keys().size() + " keys)";
    } else {
      outcome =
          answers.isEmpty()
              ? "no peer answered within " + timeout.toMillis() + " ms; kept our own state at position " + cutPosition
              : "no peer is ahead; kept our own state at position " + cutPosition;
    }
    phase = Phase.IDLE;
    timer.cancel(false);
    List<StreamMessage> after = new ArrayList<>(buffered);
    buffered.clear();
    answers.clear();
    Optional<String> gap = Optional.empty();
    for (StreamMessage message : after) {
      if (message instanceof ReplicationMessage entry) {
        Optional<String> found = writes.apply(entry);
        gap = gap.or(() -> found);
      } else if (message instanceof StateRequest request) {
        answer(request);
      }
    }
    caughtUp = true;
    log.info(
        "Caught up in {} ms ({}): {}; now at position {}",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos),
        reason,
        outcome,
        replica.position());
    gap.ifPresent(why -> start("messages lost while catching up: " + why));
  }

  /** The answer to install: strictly better than our own cut, valid; empty to keep ours. */
  private Optional<Chosen> bestAnswer() {
    Comparator<StateChunk> better =
        Comparator.comparingLong(StateChunk::position)
            .reversed()
            .thenComparing(StateChunk::from);
    List<StateChunk> candidates =
        answers.values().stream().filter(CatchUp::isComplete).map(c -> c.firstEntry().getValue()).sorted(better).toList();
    for (StateChunk candidate : candidates) {
      boolean ahead = candidate.position() > cutPosition;
      boolean tieWonByPeer =
          candidate.position() == cutPosition
              && candidate.digest() != cutDigest
              && candidate.from().compareTo(identity.serverId()) < 0;
      if (!ahead && !tieWonByPeer) {
        return Optional.empty();
      }
      try {
        StateImage image = StateChunk.assemble(new ArrayList<>(answers.get(candidate.from()).values()));
        return Optional.of(new Chosen(image, StateMachine.of(image))); // of() checks the digest
      } catch (IllegalArgumentException e) {
        log.warn("Ignored a broken state answer from {}: {}", candidate.from(), e.getMessage());
      }
    }
    return Optional.empty();
  }

  private static boolean isComplete(TreeMap<Integer, StateChunk> chunks) {
    return !chunks.isEmpty() && chunks.size() == chunks.firstEntry().getValue().total();
  }

  private record Chosen(StateImage image, StateMachine machine) {}

  private void reschedule(Duration delay, Runnable task) {
    if (timer != null) {
      timer.cancel(false);
    }
    timer = applyThread.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
  }
}
