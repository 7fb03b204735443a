package kvs.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import kvs.core.replication.Heartbeat;
import kvs.core.replication.MalformedMessageException;
import kvs.core.replication.MessageCodec;
import kvs.core.replication.Operation;
import kvs.core.replication.Presence;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.SizeLimits;
import kvs.core.replication.StateChanges;
import kvs.core.replication.StateChunk;
import kvs.core.replication.StateImage;
import kvs.core.replication.StateRequest;
import kvs.server.state.Replica;
import org.junit.jupiter.api.Test;

/**
 * {@link CatchUp} alone, with time stepped by hand: what it waits for, what it installs, when it
 * asks again. Messages are handed to it as the stream router would, in stream order.
 */
class CatchUpTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);
  private static final Duration JUST_BEFORE_THE_TIMEOUT = TIMEOUT.minusMillis(1);

  private final ManualTime time = new ManualTime();
  private final RecordingTransport transport = new RecordingTransport();
  private final MessageCodec codec = new MessageCodec();
  private final ReplicaIdentity identity = new ReplicaIdentity("self", "run-self");
  private final Replica replica = new Replica();
  private final Membership membership = new Membership();
  private final PeerTable peers = new PeerTable(time);
  private final ServingState serving = new ServingState();
  private final WritePublisher publisher =
      new WritePublisher(identity, transport, codec, Duration.ofSeconds(5), 100);
  private final CatchUp catchUp =
      new CatchUp(
          identity,
          replica,
          new WritesApplier(replica, publisher, EntryLog.NONE, serving),
          transport,
          codec,
          time,
          time,
          new StateSender("self", replica, transport, codec, Runnable::run, SizeLimits.DEFAULT),
          membership,
          peers,
          EntryLog.NONE,
          serving,
          TIMEOUT);

  @Test
  void aloneItServesTheMomentItsOwnRequestComesBack() {
    catchUp.start("starting");
    assertFalse(serving.caughtUp());

    catchUp.onRequest(lastRequest());

    assertTrue(serving.caughtUp(), "no peer to wait for, no timeout waited");
    assertEquals(0, catchUp.resyncs());
  }

  @Test
  void itWaitsForEveryPresentPeerAndInstallsTheMostAdvancedState() {
    present("p1", "p2");
    catchUp.start("starting");
    StateRequest ours = lastRequest();
    catchUp.onRequest(ours);

    answer(ours, "p1", stateWith(3));
    assertFalse(serving.caughtUp(), "p2 has not answered");
    StateImage furthest = stateWith(5);
    answer(ours, "p2", furthest);

    assertTrue(serving.caughtUp());
    assertEquals(5, replica.position());
    assertEquals(furthest.digest(), replica.digest());
  }

  @Test
  void aPeerThatIsThereAndSilentIsWaitedForUntilTheTimeoutOnly() {
    present("p1");
    catchUp.start("starting");
    catchUp.onRequest(lastRequest());

    time.advance(JUST_BEFORE_THE_TIMEOUT);
    assertFalse(serving.caughtUp());
    time.advance(Duration.ofMillis(1));

    assertTrue(serving.caughtUp(), "settled with its own state");
    assertEquals(0, replica.position());
  }

  @Test
  void aPeerHeardLatelyIsWaitedForEvenWithoutItsPresence() {
    peers.record(new Heartbeat("p1", "run-p1", 0, 0, 0, 0, true));
    catchUp.start("starting");
    StateRequest ours = lastRequest();
    catchUp.onRequest(ours);
    assertFalse(serving.caughtUp(), "a presence that went missing must not make it settle alone");

    answer(ours, "p1", stateWith(2));
    assertTrue(serving.caughtUp());
    assertEquals(2, replica.position());
  }

  @Test
  void aLostRequestIsAskedAgainAndAnEarlierOneThatComesBackStillCounts() {
    catchUp.start("starting");
    StateRequest first = lastRequest();

    time.advance(TIMEOUT);
    assertEquals(2, transport.requests().size(), "asked again");
    catchUp.onRequest(first);

    assertTrue(serving.caughtUp());
  }

  @Test
  void writesAfterTheCutWaitAndAreAppliedOnTheInstalledState() {
    present("p1");
    catchUp.start("starting");
    StateRequest ours = lastRequest();
    catchUp.onRequest(ours);
    assertTrue(catchUp.buffering());
    catchUp.buffer(write(4, "key1", "after the cut"));
    assertEquals(0, replica.position(), "buffered, not applied");

    answer(ours, "p1", stateWith(3)); // w#1..3, one chunk per key

    assertTrue(serving.caughtUp());
    assertEquals(4, replica.position());
    assertEquals("after the cut", replica.get("key1", 2).orElseThrow().value());
  }

  @Test
  void aPeerThatLeavesMidTransferIsNoLongerWaitedFor() {
    present("p1", "p2");
    catchUp.start("starting");
    StateRequest ours = lastRequest();
    catchUp.onRequest(ours);
    answer(ours, "p1", stateWith(3));
    List<StateChunk> p2 = StateChunk.split(ours.requestId(), "p2", stateWith(3), 1);
    catchUp.onChunk(p2.get(0)); // the first of three chunks, then p2 crashes

    membership.update("kvs-p2", Optional.empty());
    catchUp.onMembershipChanged();

    assertTrue(serving.caughtUp());
    assertEquals(3, replica.position());
  }

  @Test
  void anIncompleteAnswerAtTheTimeoutMakesItAskAgainAndARedeliveredChunkChangesNothing() {
    present("p1");
    catchUp.start("starting");
    StateRequest ours = lastRequest();
    catchUp.onRequest(ours);
    List<StateChunk> chunks = StateChunk.split(ours.requestId(), "p1", stateWith(3), 1);
    catchUp.onChunk(chunks.get(0));
    catchUp.onChunk(chunks.get(0));

    time.advance(TIMEOUT);

    assertFalse(serving.caughtUp());
    assertEquals(2, transport.requests().size(), "asked again");
    StateRequest second = lastRequest();
    catchUp.onRequest(second);
    answer(second, "p1", stateWith(3));
    assertTrue(serving.caughtUp());
    assertEquals(3, replica.position());
  }

  @Test
  void aPeerFurtherAlongThanEveryAnswerMakesItAskAgainUpToTheLastRound() {
    present("p1");
    catchUp.start("starting");
    for (int round = 1; round <= CatchUp.MAX_ROUNDS; round++) {
      StateRequest ours = lastRequest();
      catchUp.onRequest(ours);
      catchUp.onHeartbeat(new Heartbeat("p1", "run-p1", 0, 10, 0, 0, true));
      answer(ours, "p1", stateWith(3));
      assertEquals(round < CatchUp.MAX_ROUNDS, !serving.caughtUp(), "round " + round);
    }
    assertEquals(CatchUp.MAX_ROUNDS, transport.requests().size());
    assertEquals(3, replica.position(), "settled for the best there was");
  }

  @Test
  void aBrokenAnswerIsIgnoredAndOursKept() {
    present("p1");
    catchUp.start("starting");
    StateRequest ours = lastRequest();
    catchUp.onRequest(ours);

    StateChunk honest = StateChunk.split(ours.requestId(), "p1", stateWith(3), 100).get(0);
    catchUp.onChunk(
        new StateChunk(
            honest.requestId(),
            honest.from(),
            honest.index(),
            honest.total(),
            honest.position(),
            honest.digest() + 1, // not the digest of what it holds
            honest.streamTime(),
            honest.runs(),
            honest.requests(),
            honest.keys()));

    assertTrue(serving.caughtUp());
    assertEquals(0, replica.position());
  }

  @Test
  void aRequestThatArrivesWhileWeBufferIsAnsweredWithTheStateWeSettleOn() throws Exception {
    present("p1");
    catchUp.start("starting");
    StateRequest ours = lastRequest();
    catchUp.onRequest(ours);
    StateRequest theirs = new StateRequest("q", "run-q", "their-request", "reply/q");
    catchUp.onRequest(theirs);
    assertTrue(transport.sent.isEmpty(), "not before our state is decided");

    answer(ours, "p1", stateWith(3));

    StateChunk sent = codec.decodeChunk(transport.sent.get(0));
    assertEquals("their-request", sent.requestId());
    assertEquals(3, sent.position());
  }

  @Test
  void aRedeliveredRequestIsAnsweredOnce() {
    catchUp.start("starting");
    catchUp.onRequest(lastRequest());
    StateRequest theirs = new StateRequest("q", "run-q", "their-request", "reply/q");

    catchUp.onRequest(theirs);
    catchUp.onRequest(theirs);

    assertEquals(1, transport.sent.size());
  }

  @Test
  void startingAgainOnceServingCountsAsAResyncAndStopsServingMeanwhile() {
    catchUp.start("starting");
    catchUp.onRequest(lastRequest());

    catchUp.start("a gap");

    assertFalse(serving.caughtUp());
    assertEquals(1, catchUp.resyncs());
    catchUp.onRequest(lastRequest());
    assertTrue(serving.caughtUp());
  }

  @Test
  void aReasonThatComesWhileCatchingUpStartsOneMoreRoundRightAfter() {
    catchUp.start("starting");
    catchUp.start("a gap meanwhile");
    catchUp.onRequest(lastRequest());

    assertFalse(serving.caughtUp(), "caught up once, then again");
    assertEquals(2, transport.requests().size());
    catchUp.onRequest(lastRequest());
    assertTrue(serving.caughtUp());
  }

  @Test
  void aPeerThatSharesAPointOfOurPastSendsOnlyTheChangesAndWeRepairInPlace() {
    Replica peer = new Replica();
    for (int i = 1; i <= 3; i++) {
      peer.apply(write(i, "key" + i, "value" + i));
      replica.apply(write(i, "key" + i, "value" + i));
    }
    peer.apply(write(4, "key1", "we missed this"));
    peer.apply(write(5, "key5", "and got this"));
    replica.apply(write(5, "key5", "and got this"));
    present("p1");
    catchUp.start("message #5 of w arrived, #4 never did");
    StateRequest ours = lastRequest();
    assertFalse(ours.since().isEmpty(), "names points of our past");
    catchUp.onRequest(ours);

    StateChanges changes = peer.changesSince(ours.since()).orElseThrow();
    assertEquals(3, changes.base(), "the newest point we share");
    StateChunk.split(ours.requestId(), "p1", changes, 1, 100).forEach(catchUp::onChunk);

    assertTrue(serving.caughtUp());
    assertEquals(1, catchUp.repairs());
    assertEquals(peer.image(), replica.image());
  }

  @Test
  void changesFromAPointWeNoLongerKnowMakeItAskForAWholeState() {
    catchUp.start("starting");
    catchUp.onRequest(lastRequest());
    replica.apply(write(1, "key1", "value1"));
    present("p1");
    catchUp.start("a gap"); // the peer answers with changes since a point we never had
    StateRequest ours = lastRequest();
    assertFalse(ours.since().isEmpty());
    catchUp.onRequest(ours);
    StateImage theirs = stateWith(3);
    StateChunk.split(ours.requestId(), "p1", new StateChanges(2, 0, theirs), 1, 100)
        .forEach(catchUp::onChunk);

    assertFalse(serving.caughtUp());
    StateRequest whole = lastRequest();
    assertTrue(whole.since().isEmpty(), "asks for a whole state");
    catchUp.onRequest(whole);
    answer(whole, "p1", theirs);
    assertTrue(serving.caughtUp());
    assertEquals(theirs, replica.image());
    assertEquals(0, catchUp.repairs());
  }

  @Test
  void changesThatDoNotGiveThePeersContentMakeItAskForAWholeState() {
    replica.apply(write(1, "key1", "value1"));
    present("p1");
    catchUp.start("a gap");
    StateRequest ours = lastRequest();
    catchUp.onRequest(ours);
    StateImage theirs = stateWith(3);
    // Changes since position 1 that leave out key2, which the peer wrote since.
    StateImage partial =
        new StateImage(
            theirs.position(),
            theirs.digest(),
            theirs.streamTime(),
            theirs.runs(),
            List.of(),
            List.of());
    StateChunk.split(ours.requestId(), "p1", new StateChanges(1, 0, partial), 1, 100)
        .forEach(catchUp::onChunk);

    assertFalse(serving.caughtUp(), "refused, and asked again");
    assertEquals(1, replica.position(), "nothing changed");
    StateRequest whole = lastRequest();
    assertTrue(whole.since().isEmpty());
    catchUp.onRequest(whole);
    answer(whole, "p1", theirs);
    assertTrue(serving.caughtUp());
    assertEquals(theirs, replica.image());
  }

  @Test
  void aRepairThatGoesWrongLeavesAStateThatIsNeitherServedNorSentUntilAWholeOneReplacesIt()
      throws Exception {
    replica.apply(write(1, "key1", "value1"));
    present("p1");
    catchUp.start("a gap");
    StateRequest ours = lastRequest();
    catchUp.onRequest(ours);
    Replica peer = new Replica();
    peer.apply(write(1, "key1", "value1"));
    peer.apply(write(2, "key2", "value2"));
    StateChanges honest = peer.changesSince(ours.since()).orElseThrow();
    // Right content, but a whole-state digest the repaired state will not have.
    StateChanges lying = new StateChanges(honest.base(), honest.stateDigest() + 1, honest.image());
    StateChunk.split(ours.requestId(), "p1", lying, 1, 100).forEach(catchUp::onChunk);

    assertFalse(serving.caughtUp(), "a broken state is not served");
    StateRequest whole = lastRequest();
    assertTrue(whole.since().isEmpty());
    catchUp.onRequest(new StateRequest("q", "run-q", "their-request", "reply/q"));
    catchUp.onRequest(whole);
    time.advance(TIMEOUT); // p1 does not answer this time
    assertFalse(serving.caughtUp(), "still not served: no whole state came");
    assertTrue(transport.sent.isEmpty(), "nor sent to q");

    time.advance(TIMEOUT); // it asks again after a while, not in a busy loop
    StateRequest again = lastRequest();
    assertFalse(again.requestId().equals(whole.requestId()));
    assertTrue(again.since().isEmpty());
    catchUp.onRequest(again);
    answer(again, "p1", peer.image());
    assertTrue(serving.caughtUp());
    assertEquals(peer.image(), replica.image());
  }

  private void present(String... ids) {
    for (String id : ids) {
      membership.update("kvs-" + id, Optional.of(new Presence(id, "run-" + id, 0)));
    }
  }

  /** A state of writer w's first {@code entries} writes, each of a key of its own: key1, key2... */
  private static StateImage stateWith(int entries) {
    Replica peer = new Replica();
    for (int i = 1; i <= entries; i++) {
      peer.apply(write(i, "key" + i, "value" + i));
    }
    return peer.image();
  }

  private static ReplicationMessage write(long sequence, String key, String value) {
    return new ReplicationMessage("w", "run-w", sequence, List.of(new Operation.Put(key, value)));
  }

  private void answer(StateRequest request, String from, StateImage image) {
    StateChunk.split(request.requestId(), from, image, 1).forEach(catchUp::onChunk);
  }

  private StateRequest lastRequest() {
    List<StateRequest> requests = transport.requests();
    return requests.get(requests.size() - 1);
  }

  /** Takes what is published and sent, and answers every publish at once. */
  private final class RecordingTransport implements ReplicationTransport {
    final List<byte[]> published = new ArrayList<>();
    final List<byte[]> sent = new ArrayList<>();

    List<StateRequest> requests() {
      List<StateRequest> requests = new ArrayList<>();
      for (byte[] payload : published) {
        try {
          if (codec.decode(payload) instanceof StateRequest request) {
            requests.add(request);
          }
        } catch (MalformedMessageException e) {
          throw new AssertionError(e);
        }
      }
      return requests;
    }

    @Override
    public void start(Listener listener, byte[] presence) {}

    @Override
    public CompletableFuture<Void> publish(byte[] payload) {
      published.add(payload);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> sendState(String replyTopic, byte[] payload) {
      sent.add(payload);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public String replyTopic() {
      return "reply/self";
    }

    @Override
    public boolean isConnected() {
      return true;
    }

    @Override
    public void close() {}
  }
}
