package kvs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kvs.proto.ChaveValor;
import kvs.proto.KVSGrpc;
import kvs.server.testing.ServerProcess;
import kvs.testing.Eventually;
import kvs.testing.MosquittoBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Presence on a real broker: a catch-up waits for exactly the servers present at its cut. Alone, a
 * server decides at once; next to a live one, it waits for (and installs) that one's state; a
 * SIGKILLed server's presence is cleared by its Last Will, so nobody waits for it. Every server
 * runs with a --sync-timeout of 10 s, so a wait for an absent peer would stand out.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PresenceIT {
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(10);
  private static final long WELL_UNDER_MS = SYNC_TIMEOUT.toMillis() / 3;
  private static final Pattern CAUGHT_UP =
      Pattern.compile("Caught up in (\\d+) ms \\(starting\\): ([^\\n]*)");

  @Test
  void aCatchUpWaitsForThePresentServersOnly() {
    String topic = "kvs-presence-" + UUID.randomUUID();
    List<ServerProcess> servers = new ArrayList<>();
    try (MosquittoBroker broker = MosquittoBroker.start()) {
      // Alone: no one to wait for. Its first Insere, sent as soon as the port opens, is answered.
      ServerProcess alone = start(servers, "p-alone", broker, topic);
      long sent = System.nanoTime();
      assertEquals(
          1,
          KVSGrpc.newBlockingStub(channelOf(alone))
              .withWaitForReady()
              .withDeadlineAfter(30, TimeUnit.SECONDS)
              .insere(ChaveValor.newBuilder().setChave("first").setValor("value").build())
              .getVersao());
      long answeredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
      CatchUpLine aloneCaughtUp = caughtUp(alone);
      assertTrue(
          aloneCaughtUp.outcome().contains("no other server is live"), aloneCaughtUp.outcome());
      assertTrue(aloneCaughtUp.millis() < WELL_UNDER_MS, "decided at once: " + aloneCaughtUp);
      assertTrue(
          answeredMs < SYNC_TIMEOUT.toMillis(),
          "first Insere answered in " + answeredMs + " ms, JVM start included");
      for (int n = 0; n < 50; n++) {
        assertEquals(
            1,
            alone
                .kvs()
                .insere(ChaveValor.newBuilder().setChave("key-" + n).setValor("value").build())
                .getVersao());
      }

      // Next to a live server: waits for its answer and installs its state.
      ServerProcess joiner =
          start(servers, "p-joiner", broker, topic).awaitServing(Duration.ofSeconds(30));
      CatchUpLine joined = caughtUp(joiner);
      assertTrue(joined.outcome().contains("installed p-alone's state"), joined.toString());
      assertTrue(joined.millis() < WELL_UNDER_MS, "answered, not timed out: " + joined);
      assertEquals(alone.status().getPosition(), joiner.status().getPosition());
      assertEquals(
          2,
          joiner
              .kvs()
              .insere(ChaveValor.newBuilder().setChave("key-7").setValor("again").build())
              .getVersao());

      // SIGKILL: no goodbye, but the broker publishes its Last Will, which clears its presence.
      joiner.kill();
      ServerProcess late =
          start(servers, "p-late", broker, topic).awaitServing(Duration.ofSeconds(30));
      CatchUpLine lateCaughtUp = caughtUp(late);
      assertTrue(
          lateCaughtUp.outcome().contains("installed p-alone's state"), lateCaughtUp.toString());
      assertTrue(
          lateCaughtUp.millis() < WELL_UNDER_MS,
          "a killed server must not be waited for (sync timeout "
              + SYNC_TIMEOUT.toMillis()
              + " ms): "
              + lateCaughtUp);
      assertFalse(late.logText().contains("no peer answered"), late.logText());

      // Both others gone (the last by SIGKILL): a newcomer is alone again and says so.
      alone.kill();
      late.kill();
      ServerProcess last =
          start(servers, "p-last", broker, topic).awaitServing(Duration.ofSeconds(30));
      CatchUpLine lastCaughtUp = caughtUp(last);
      assertTrue(
          lastCaughtUp.outcome().contains("no other server is live"), lastCaughtUp.toString());
      assertTrue(lastCaughtUp.millis() < WELL_UNDER_MS, lastCaughtUp.toString());
    } finally {
      servers.forEach(ServerProcess::close);
    }
  }

  private static ServerProcess start(
      List<ServerProcess> servers, String id, MosquittoBroker broker, String topic) {
    ServerProcess server =
        ServerProcess.start(
            id, broker.uri(), topic, "--sync-timeout", SYNC_TIMEOUT.toSeconds() + "s");
    servers.add(server);
    return server;
  }

  private static io.grpc.Channel channelOf(ServerProcess server) {
    return server.kvsFuture().getChannel();
  }

  private record CatchUpLine(long millis, String outcome) {}

  /** The server's first "Caught up in N ms (starting): ..." line, once it is logged. */
  private static CatchUpLine caughtUp(ServerProcess server) {
    Eventually.await(
        Duration.ofSeconds(30),
        "a 'Caught up' line on port " + server.port(),
        () -> CAUGHT_UP.matcher(server.logText()).find());
    Matcher line = CAUGHT_UP.matcher(server.logText());
    assertTrue(line.find());
    return new CatchUpLine(Long.parseLong(line.group(1)), line.group(2));
  }
}
