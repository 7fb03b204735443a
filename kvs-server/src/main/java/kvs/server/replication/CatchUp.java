package kvs.server.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import kvs.core.replication.Heartbeat;
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
 * after it; once every server that was live at the cut (by its presence, see {@link Membership})
 * has answered or left, we take the most advanced state (ours included: highest position; on a
 * tie of positions with different content, the smallest server id), install it if it is not
 * ours, and apply the buffer. With no other server live, that is at once. Until then the server
 * is not caught up: calls wait (see {@link ServingState#whenServing}), and its own writes are not
 * answered.
 *
 * <p>We do not settle for a state while a peer's heartbeat shows it is further along than that
 * state, or while an answer is still arriving: then we ask again. Runs only as stream tasks (see
 * {@link StreamExecutor}).
 */
public final class CatchUp {
  private static final Logger log = LoggerFactory.getLogger(CatchUp.class);

  /** Keys per state-transfer chunk: small messages, few of them (100,000 keys: 20 chunks). */
  static final int KEYS_PER_CHUNK = 5000;

  /** A peer heard within this long is waited for even without its presence (unless it left). */
  static final Duration RECENTLY_HEARD = Duration.ofSeconds(2);

  /** After this many rounds without a satisfying answer, settle for the best there is. */
  static final int MAX_ROUNDS = 5;

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
  private final StreamExecutor stream;
  private final Executor sender;
  private final Membership membership;
  private final PeerTable peers;
  private final EntryLog entryLog;
  private final ServingState serving;
  private final Duration timeout;
  private final AtomicLong resyncs = new AtomicLong();

  private Phase phase = Phase.IDLE;
  private final Set<String> issued = new HashSet<>(); // our request ids in this catch-up
  private String cutRequest;
  private String reason;
  private String pendingReason; // a new reason to re-sync that came while catching up
  private int round;
  private long startedNanos;
  private long cutPosition;
  private long cutDigest;
  private int bufferedWrites;
  private long peerPositionAtCut; // the furthest a peer's heartbeat shows it was at our cut
  private List<String> awaited = List.of(); // the live peers at our cut: whose answers we wait for
  private final List<StreamMessage> buffered = new ArrayList<>(); // writes and others' requests
  // request id -> peer -> chunks by index
  private final Map<String, Map<String, TreeMap<Integer, StateChunk>>> answers = new HashMap<>();
  private final Set<String> answeredRequests = new LinkedHashSet<>(); // never answer one twice
  private StreamExecutor.Timer timer;

  public CatchUp(
      ReplicaIdentity identity,
      Replica replica,
      WritesApplier writes,
      ReplicationTransport transport,
      MessageCodec codec,
      StreamExecutor stream,
      Executor sender,
      Membership membership,
      PeerTable peers,
      EntryLog entryLog,
      ServingState serving,
      Duration timeout) {
    this.identity = identity;
    this.replica = replica;
    this.writes = writes;
    this.transport = transport;
    this.codec = codec;
    this.stream = stream;
    this.sender = sender;
    this.membership = membership;
    this.peers = peers;
    this.entryLog = entryLog;
    this.serving = serving;
    this.timeout = timeout;
  }

  /** True when this server may serve: it has caught up and is not re-syncing. Any thread. */
  public boolean caughtUp() {
    return serving.caughtUp();
  }

  /** True between our own request's place in the stream and the decision: writes wait. */
  public boolean buffering() {
    return phase == Phase.BUFFERING;
  }

  /** How many times this server re-synchronized after it had caught up once. */
  public long resyncs() {
    return resyncs.get();
  }

  /** Starts catching up; when it already is, catches up once more right after. */
  public void start(String why) {
    if (phase != Phase.IDLE) {
      pendingReason = why;
      return;
    }
    if (serving.caughtUp()) {
      resyncs.incrementAndGet();
      log.warn("Re-synchronizing from peers: {}", why);
    } else {
      log.info("Catching up from peers before serving ({})", why);
    }
    serving.set(false);
    reason = why;
    round = 0;
    startedNanos = System.nanoTime();
    sendRequest();
  }

  /** Buffers a write entry that comes after our cut. */
  public void buffer(ReplicationMessage message) {
    buffered.add(message);
    bufferedWrites++;
  }

  /** A peer's heartbeat, while we catch up: how far along is it, as of our cut? */
  public void onHeartbeat(Heartbeat heartbeat) {
    if (phase == Phase.BUFFERING && !heartbeat.origin().equals(identity.serverId())) {
      // Everything it had applied came before this heartbeat; what came after our cut we buffered.
      peerPositionAtCut = Math.max(peerPositionAtCut, heartbeat.position() - bufferedWrites);
    }
  }

  private List<String> awaitedAtCut() {
    TreeSet<String> ids = new TreeSet<>(membership.othersThan(identity.serverId()));
    for (PeerTable.Peer peer : peers.heardWithin(RECENTLY_HEARD)) {
      String id = peer.heartbeat().origin();
      if (!id.equals(identity.serverId()) && !membership.hasLeft(id)) {
        ids.add(id);
      }
    }
    return List.copyOf(ids);
  }

  /** A state request reached us in the stream: ours marks the cut; others' we answer. */
  public void onRequest(StateRequest request) {
    boolean ours = request.origin().equals(identity.serverId()) && request.run().equals(identity.run());
    if (ours) {
      if (phase == Phase.REQUESTED && issued.contains(request.requestId())) {
        phase = Phase.BUFFERING;
        cutRequest = request.requestId();
        cutPosition = replica.position();
        cutDigest = replica.digest();
        // Every server whose presence reached us before our request had subscribed before it
        // was published: each will reach it and answer. Nobody else is needed; with nobody
        // there at all, we decide at once. Peers we heard lately count too, unless we saw them
        // leave: a presence that went missing must not make us settle alone.
        awaited = awaitedAtCut();
        bufferedWrites = 0;
        peerPositionAtCut = 0;
        buffered.clear();
        reschedule(timeout, this::onTimeout);
        maybeDecide();
      }
      return;
    }
    if (!answeredRequests.add(request.requestId())) {
      return; // redelivered: answering again, at a later position, would mix two answers
    }
    if (answeredRequests.size() > 1000) {
      answeredRequests.remove(answeredRequests.iterator().next());
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
    if (phase == Phase.IDLE || !issued.contains(chunk.requestId())) {
      return; // an answer to a request we gave up on
    }
    answers
        .computeIfAbsent(chunk.requestId(), id -> new HashMap<>())
        .computeIfAbsent(chunk.from(), from -> new TreeMap<>())
        .put(chunk.index(), chunk); // a redelivered chunk replaces itself
    if (phase != Phase.BUFFERING || !chunk.requestId().equals(cutRequest)) {
      return;
    }
    reschedule(timeout, this::onTimeout); // a large state may take a while: wait while it comes
    maybeDecide();
  }

  /** A server came or went: one we waited for may have gone. */
  public void onMembershipChanged() {
    maybeDecide();
  }

  private void sendRequest() {
    phase = Phase.REQUESTED;
    round++;
    String requestId = UUID.randomUUID().toString();
    issued.add(requestId);
    StateRequest request = new StateRequest(identity.serverId(), identity.run(), requestId, transport.replyTopic());
    // Published even while (re)connecting: the client sends it once connected, or it fails.
    transport
        .publish(codec.encode(request))
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                log.warn("Publishing a state request failed ({}); will retry", error.toString());
              }
            });
    // If none of our requests comes back (lost, or no broker), ask again. An earlier one that
    // does come back still counts.
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

  private Map<String, TreeMap<Integer, StateChunk>> cutAnswers() {
    return answers.getOrDefault(cutRequest, Map.of());
  }

  private void maybeDecide() {
    if (phase != Phase.BUFFERING) {
      return;
    }
    Map<String, TreeMap<Integer, StateChunk>> cut = cutAnswers();
    // A peer that left since our cut will not answer; one that is still there will.
    boolean everyAwaitedAnswered =
        awaited.stream().allMatch(id -> (cut.containsKey(id) && isComplete(cut.get(id))) || membership.hasLeft(id));
    if (everyAwaitedAnswered) {
      decide(false);
    }
  }

  private void onTimeout() {
    decide(true);
  }

  /** Takes the most advanced state, installs it if it is not ours, applies the buffer, serves. */
  private void decide(boolean timedOut) {
    if (phase != Phase.BUFFERING) {
      return;
    }
    Optional<Chosen> best = bestAnswer();
    long settledPosition = best.map(c -> c.image().position()).orElse(cutPosition);
    boolean answerStillComing = cutAnswers().values().stream().anyMatch(c -> !isComplete(c));
    boolean peerFurther = peerPositionAtCut > settledPosition;
    if ((peerFurther || (timedOut && answerStillComing)) && round < MAX_ROUNDS) {
      log.info(
          "Not settling at position {}: {}; asking again",
          settledPosition,
          peerFurther ? "a peer was at position " + peerPositionAtCut + " at our cut" : "an answer is incomplete");
      replayOnto(Optional.empty(), false);
      sendRequest();
      return;
    }
    String outcome =
        best.map(c -> "installed " + c.from() + "'s state at position " + c.image().position() + " (" + c.image().keys().size() + " keys)")
            .orElse(
                awaited.isEmpty()
                    ? "no other server is live; kept our own state at position " + cutPosition
                    : cutAnswers().isEmpty()
                        ? "no peer answered within " + timeout.toMillis() + " ms; kept our own state at position " + cutPosition
                        : "no peer is ahead; kept our own state at position " + cutPosition);
    replayOnto(best, true);
    log.info(
        "Caught up in {} ms ({}): {}; now at position {}",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos),
        reason,
        outcome,
        replica.position());
    if (pendingReason != null) {
      String again = pendingReason;
      pendingReason = null;
      start(again);
    }
  }

  /**
   * Ends this round: installs {@code chosen} (if any), serves from then on when {@code settled}
   * (so the buffer is applied as the stream always is, and waiting calls see the installed state),
   * then applies what was buffered.
   */
  private void replayOnto(Optional<Chosen> chosen, boolean settled) {
    List<StreamMessage> after = new ArrayList<>(buffered);
    buffered.clear();
    phase = Phase.IDLE;
    if (timer != null) {
      timer.cancel();
    }
    if (settled) {
      issued.clear();
      answers.clear();
    }
    try {
      chosen.ifPresent(
          c -> {
            replica.install(c.machine());
            entryLog.replaceWith(c.image());
          });
    } catch (RuntimeException e) {
      log.error("Could not record the installed state on disk ({}); going on in memory", e.getMessage());
    }
    if (settled) {
      serving.set(true);
    }
    Optional<String> gap = Optional.empty();
    for (StreamMessage message : after) {
      if (message instanceof ReplicationMessage entry) {
        Optional<String> found = writes.apply(entry);
        gap = gap.or(() -> found);
      } else if (message instanceof StateRequest request) {
        answer(request);
      }
    }
    if (gap.isPresent() && pendingReason == null) {
      pendingReason = "messages lost while catching up: " + gap.get();
    }
  }

  /** The answer to install: strictly better than our own cut, valid; empty to keep ours. */
  private Optional<Chosen> bestAnswer() {
    Map<String, TreeMap<Integer, StateChunk>> cut = cutAnswers();
    List<StateChoice.Offer> complete =
        cut.values().stream()
            .filter(CatchUp::isComplete)
            .map(c -> c.firstEntry().getValue())
            .map(first -> new StateChoice.Offer(first.from(), first.position(), first.digest()))
            .toList();
    StateChoice.Offer ours = new StateChoice.Offer(identity.serverId(), cutPosition, cutDigest);
    for (StateChoice.Offer candidate : StateChoice.betterThan(ours, complete)) {
      try {
        StateImage image = StateChunk.assemble(new ArrayList<>(cut.get(candidate.from()).values()));
        return Optional.of(new Chosen(candidate.from(), image, replica.restore(image))); // checks the digest
      } catch (IllegalArgumentException e) {
        log.warn("Ignored a broken state answer from {}: {}", candidate.from(), e.getMessage());
      }
    }
    return Optional.empty();
  }

  private static boolean isComplete(TreeMap<Integer, StateChunk> chunks) {
    return !chunks.isEmpty() && chunks.size() == chunks.firstEntry().getValue().total();
  }

  private void reschedule(Duration delay, Runnable task) {
    if (timer != null) {
      timer.cancel();
    }
    timer =
        stream.schedule(
            () -> {
              try {
                task.run();
              } catch (RuntimeException e) {
                log.error("Catching up failed; trying again", e);
                phase = Phase.IDLE;
                start("the previous attempt failed: " + e.getMessage());
              }
            },
            delay);
  }

  private record Chosen(String from, StateImage image, StateMachine machine) {}
}
