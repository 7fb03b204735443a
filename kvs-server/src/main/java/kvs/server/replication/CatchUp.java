package kvs.server.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import kvs.core.replication.Heartbeat;
import kvs.core.replication.MessageCodec;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.StateChanges;
import kvs.core.replication.StateChunk;
import kvs.core.replication.StateImage;
import kvs.core.replication.StateMachine;
import kvs.core.replication.StateRequest;
import kvs.core.replication.StreamMessage;
import kvs.server.state.Replica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings this server's state in line with its peers', through the stream itself: the server
 * publishes a {@link StateRequest} on the ordered stream; the request's position in the stream is
 * the cut. Every server that reaches the request sends its whole state as of that point to our
 * reply topic. We keep applying the stream until we reach our own request, then buffer what comes
 * after it; once every server that was live at the cut (by its presence, see {@link Membership})
 * has answered or left, we take the most advanced state (ours included: highest position; on a tie
 * of positions with different content, the smallest server id), install it if it is not ours, and
 * apply the buffer. With no other server live, that is at once. Until then the server is not caught
 * up: calls wait (see {@link ServingState#whenServing}), and its own writes are not answered.
 *
 * <p>We do not settle for a state while a peer's heartbeat shows it is further along than that
 * state, or while an answer is still arriving: then we ask again. The only timeout bounds the wait
 * for peers that are there and do not answer. Runs only as stream tasks (see {@link
 * StreamExecutor}); time comes from a {@link Ticker} and timers from {@link StreamTimers}, so tests
 * step both. Which state wins is {@link StateChoice}'s; answers are collected by {@link
 * StateAnswers}; peers' requests are answered by {@link StateSender}.
 */
public final class CatchUp {
  private static final Logger log = LoggerFactory.getLogger(CatchUp.class);

  /** A peer heard within this long is waited for even without its presence (unless it left). */
  static final Duration RECENTLY_HEARD = Duration.ofSeconds(2);

  /** After this many rounds without a satisfying answer, settle for the best there is. */
  static final int MAX_ROUNDS = 5;

  private enum Phase {
    IDLE, // serving, or between two rounds
    REQUESTED, // our request is out; we apply the stream until it comes back
    BUFFERING // our request came back (the cut): we buffer the stream and wait for answers
  }

  private final ReplicaIdentity identity;
  private final Replica replica;
  private final WritesApplier writes;
  private final ReplicationTransport transport;
  private final MessageCodec codec;
  private final StreamTimers timers;
  private final Ticker ticker;
  private final Membership membership;
  private final PeerTable peers;
  private final EntryLog entryLog;
  private final ServingState serving;
  private final Duration timeout;
  private final StateSender stateSender;
  private final StateAnswers answers = new StateAnswers();
  private final AtomicLong resyncs = new AtomicLong();
  private final AtomicLong repairs = new AtomicLong();

  private Phase phase = Phase.IDLE;
  // Our request ids in this catch-up, each with the positions of the points it named.
  private final Map<String, Set<Long>> issued = new HashMap<>();
  private String cutRequest;
  private String reason;
  private String pendingReason; // a new reason to re-sync that came while catching up
  private int round;
  private boolean wholeOnly; // a repair could not be done: ask for a whole state this time
  private boolean unusableChanges; // the last decision met changes from a point we no longer know
  private boolean
      broken; // a repair went wrong: our state is no one's until a whole one replaces it
  private long startedNanos;
  private long cutPosition;
  private long cutDigest;
  private int bufferedWrites;
  private long peerPositionAtCut; // the furthest a peer's heartbeat shows it was at our cut
  private List<String> awaited = List.of(); // the live peers at our cut: whose answers we wait for
  private final List<StreamMessage> buffered = new ArrayList<>(); // writes and others' requests
  private StreamTimers.Timer timer;

  /**
   * @param stateSender answers peers' state requests
   * @param timeout how long to wait for a peer that is there and does not answer
   */
  public CatchUp(
      ReplicaIdentity identity,
      Replica replica,
      WritesApplier writes,
      ReplicationTransport transport,
      MessageCodec codec,
      StreamTimers timers,
      Ticker ticker,
      StateSender stateSender,
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
    this.timers = timers;
    this.ticker = ticker;
    this.membership = membership;
    this.peers = peers;
    this.entryLog = entryLog;
    this.serving = serving;
    this.timeout = timeout;
    this.stateSender = stateSender;
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

  /** How many times this server took only a peer's changes since a point they shared. */
  public long repairs() {
    return repairs.get();
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
    startedNanos = ticker.nanos();
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

  /** A state request reached us in the stream: ours marks the cut; others' we answer. */
  public void onRequest(StateRequest request) {
    boolean ours =
        request.origin().equals(identity.serverId()) && request.run().equals(identity.run());
    if (ours) {
      if (phase == Phase.REQUESTED && issued.containsKey(request.requestId())) {
        cut(request.requestId());
      }
      return;
    }
    if (!stateSender.firstTime(request) || broken) {
      return; // a broken state must not spread: the requester settles without our answer
    }
    if (phase == Phase.BUFFERING) {
      buffered.add(request); // our state as of this point is not decided yet: answer on replay
    } else {
      stateSender.answer(request);
    }
  }

  /** A chunk of some peer's answer to one of our requests arrived. */
  public void onChunk(StateChunk chunk) {
    if (phase == Phase.IDLE || !issued.containsKey(chunk.requestId())) {
      return; // an answer to a request we gave up on
    }
    answers.add(chunk);
    if (phase == Phase.BUFFERING && chunk.requestId().equals(cutRequest)) {
      reschedule(timeout, this::onTimeout); // a large state may take a while: wait while it comes
      maybeDecide();
    }
  }

  /** A server came or went: one we waited for may have gone. */
  public void onMembershipChanged() {
    maybeDecide();
  }

  private void cut(String requestId) {
    phase = Phase.BUFFERING;
    cutRequest = requestId;
    cutPosition = replica.position();
    cutDigest = replica.digest();
    // Every server whose presence reached us before our request had subscribed before it was
    // published: each will reach it and answer. Nobody else is needed; with nobody there at all,
    // we decide at once. Peers heard lately count too, unless we saw them leave: a presence that
    // went missing must not make us settle alone.
    awaited = awaitedAtCut();
    bufferedWrites = 0;
    peerPositionAtCut = 0;
    buffered.clear();
    reschedule(timeout, this::onTimeout);
    maybeDecide();
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

  private void sendRequest() {
    phase = Phase.REQUESTED;
    round++;
    String requestId = UUID.randomUUID().toString();
    // Points of our past: a peer that shared one sends only what changed since. An empty state
    // has nothing to save: its changes since would be the whole state.
    List<StateRequest.Point> since =
        wholeOnly || broken || replica.position() == 0 ? List.of() : replica.recentPoints();
    issued.put(
        requestId, since.stream().map(StateRequest.Point::position).collect(Collectors.toSet()));
    StateRequest request =
        new StateRequest(
            identity.serverId(), identity.run(), requestId, transport.replyTopic(), since);
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
      log.info(
          "Our state request did not come back within {} ms; asking again", timeout.toMillis());
      sendRequest();
    }
  }

  private void maybeDecide() {
    // A peer that left since our cut will not answer; one that is still there will.
    if (phase == Phase.BUFFERING
        && awaited.stream()
            .allMatch(id -> answers.complete(cutRequest, id) || membership.hasLeft(id))) {
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
    boolean peerFurther = peerPositionAtCut > settledPosition;
    if ((peerFurther || (timedOut && answers.anyIncomplete(cutRequest))) && round < MAX_ROUNDS) {
      log.info(
          "Not settling at position {}: {}; asking again",
          settledPosition,
          peerFurther
              ? "a peer was at position " + peerPositionAtCut + " at our cut"
              : "an answer is incomplete");
      replayOnto(false);
      sendRequest();
      return;
    }
    if (best.isEmpty() && broken) {
      // Not served, not sent to anyone: wait for a peer with a whole state, however long.
      log.error(
          "Our state is broken (a repair went wrong) and no whole state came; asking again in {} ms",
          timeout.toMillis());
      replayOnto(false);
      reschedule(timeout, this::sendRequest);
      return;
    }
    if (best.isEmpty() && unusableChanges && round < MAX_ROUNDS) {
      replayOnto(false); // a peer is ahead, but only its changes came, which we cannot take
      sendRequest();
      return;
    }
    if (best.isPresent() && !install(best.get())) {
      wholeOnly = true;
      replayOnto(false); // onto a broken state: the whole one asked for next replaces it
      sendRequest();
      return;
    }
    wholeOnly = false;
    broken = false;
    String outcome = best.map(Chosen::describe).orElseGet(this::whyOursIsKept);
    replayOnto(true);
    log.info(
        "Caught up in {} ms ({}): {}; now at position {}",
        TimeUnit.NANOSECONDS.toMillis(ticker.nanos() - startedNanos),
        reason,
        outcome,
        replica.position());
    if (pendingReason != null) {
      String again = pendingReason;
      pendingReason = null;
      start(again);
    }
  }

  private String whyOursIsKept() {
    String why =
        awaited.isEmpty()
            ? "no other server is live"
            : answers.none(cutRequest)
                ? "no peer answered within " + timeout.toMillis() + " ms"
                : "no peer is ahead";
    return why + "; kept our own state at position " + cutPosition;
  }

  /**
   * Ends this round, on the state as it is now (installed or not): serves from then on when {@code
   * settled} (so the buffer is applied as the stream always is, and waiting calls see the installed
   * state), then applies what was buffered.
   */
  private void replayOnto(boolean settled) {
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
    if (settled) {
      serving.set(true);
    }
    Optional<String> gap = Optional.empty();
    for (StreamMessage message : after) {
      if (message instanceof ReplicationMessage entry) {
        Optional<String> found = writes.apply(entry);
        gap = gap.or(() -> found);
      } else if (message instanceof StateRequest request) {
        stateSender.answer(request);
      }
    }
    if (gap.isPresent() && pendingReason == null) {
      pendingReason = "messages lost while catching up: " + gap.get();
    }
  }

  /** Installs a whole state, or repairs ours with a peer's changes; false when a repair failed. */
  private boolean install(Chosen chosen) {
    if (chosen.isChanges()) {
      try {
        replica.repair(chosen.changes());
        repairs.incrementAndGet();
      } catch (IllegalArgumentException refused) {
        log.warn(
            "Could not take {}'s changes ({}); asking for a whole state",
            chosen.from(),
            refused.getMessage());
        return false;
      } catch (IllegalStateException wrong) {
        broken = true;
        log.error(
            "Repairing our state from {}'s changes went wrong ({}); asking for a whole state",
            chosen.from(),
            wrong.getMessage());
        return false;
      }
    } else {
      replica.install(chosen.machine());
    }
    try {
      entryLog.replaceWith(chosen.isChanges() ? replica::image : chosen::image);
    } catch (RuntimeException e) {
      log.error(
          "Could not record the installed state on disk ({}); going on in memory", e.getMessage());
    }
    return true;
  }

  /** The answer to install: strictly better than our own cut, valid; empty to keep ours. */
  private Optional<Chosen> bestAnswer() {
    unusableChanges = false;
    StateChoice.Offer ours = new StateChoice.Offer(identity.serverId(), cutPosition, cutDigest);
    if (broken) {
      ours = new StateChoice.Offer(identity.serverId(), -1, cutDigest); // any whole state beats it
    }
    for (StateChoice.Offer candidate :
        StateChoice.betterThan(ours, answers.completeOffers(cutRequest))) {
      String from = candidate.from();
      try {
        if (!answers.isChanges(cutRequest, from)) {
          StateImage image = answers.assemble(cutRequest, from);
          return Optional.of(
              new Chosen(from, image, replica.restore(image), null)); // checks the digest
        }
        StateChanges changes = answers.assembleChanges(cutRequest, from);
        if (issued.get(cutRequest).contains(changes.base())
            && replica.canRepairFrom(changes.base())) {
          return Optional.of(
              new Chosen(from, changes.image(), null, changes)); // checked as it is applied
        }
        log.info(
            "Cannot take {}'s changes since position {}: not a point we still know",
            from,
            changes.base());
        wholeOnly = true;
        unusableChanges = true;
      } catch (IllegalArgumentException e) {
        log.warn("Ignored a broken state answer from {}: {}", from, e.getMessage());
      }
    }
    return Optional.empty();
  }

  private void reschedule(Duration delay, Runnable task) {
    if (timer != null) {
      timer.cancel();
    }
    timer =
        timers.schedule(
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

  /** The answer to install: a whole state (and the machine made of it), or a peer's changes. */
  private record Chosen(String from, StateImage image, StateMachine machine, StateChanges changes) {
    boolean isChanges() {
      return changes != null;
    }

    String describe() {
      return isChanges()
          ? "repaired from "
              + from
              + "'s changes since position "
              + changes.base()
              + " ("
              + image.keys().size()
              + " keys), now as it is at position "
              + image.position()
          : "installed "
              + from
              + "'s state at position "
              + image.position()
              + " ("
              + image.keys().size()
              + " keys)";
    }
  }
}
