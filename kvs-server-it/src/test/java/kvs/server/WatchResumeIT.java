package kvs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import kvs.client.ChangeEvent;
import kvs.client.KvsClient;
import kvs.client.KvsClientBuilder;
import kvs.client.Watch;
import kvs.client.WatchListener;
import kvs.proto.ChaveValor;
import kvs.server.testing.ServerProcess;
import kvs.testing.Eventually;
import kvs.testing.MosquittoBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client library's watch, when the server it watches is killed with SIGKILL mid-stream. */
@Timeout(180)
class WatchResumeIT {

  @Test
  void aWatchedServerKilledMidStreamIsLeftForAnotherWithNoChangeLostOrRepeated() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.start()) {
      List<ServerProcess> servers = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          servers.add(ServerProcess.start("watch-" + i, broker.uri(), "kvs/watch-resume"));
        }
        for (ServerProcess server : servers) {
          server.awaitServing(Duration.ofSeconds(30));
        }
        KvsClientBuilder builder =
            KvsClient.builder()
                .targets(
                    String.join(",", servers.stream().map(s -> "127.0.0.1:" + s.port()).toList()));
        List<ChangeEvent> seen = new CopyOnWriteArrayList<>();
        try (KvsClient client = builder.build();
            Watch watch =
                client.watch(
                    "",
                    0,
                    new WatchListener() {
                      @Override
                      public void onEvent(ChangeEvent event) {
                        seen.add(event);
                      }
                    })) {
          ServerProcess writer = servers.get(2);
          List<String> written = new ArrayList<>();
          ServerProcess killed = null;
          for (int n = 0; n < 300; n++) {
            if (n == 100) {
              // Kill the server the watch is on, with SIGKILL; writes go on to one that lives.
              killed = watched(servers);
              killed.kill();
              writer = servers.stream().filter(ServerProcess::isAlive).findFirst().orElseThrow();
            }
            String value = "value-" + n;
            writer
                .kvs()
                .insere(ChaveValor.newBuilder().setChave("key-" + n % 10).setValor(value).build());
            written.add(value);
          }
          assertNotNull(killed);
          long end = writer.status().getPosition();
          Eventually.await(
              Duration.ofSeconds(20), "the watch at " + end, () -> watch.position() >= end);
          assertEquals(written, seen.stream().map(e -> e.value().orElseThrow()).toList());
          for (int i = 1; i < seen.size(); i++) {
            assertEquals(
                seen.get(i - 1).position() + 1, seen.get(i).position(), "at " + seen.get(i));
          }
        }
      } finally {
        servers.forEach(ServerProcess::close);
      }
    }
  }

  /** The live server with the watch open (waits until one has it). */
  private static ServerProcess watched(List<ServerProcess> servers) {
    ServerProcess[] found = new ServerProcess[1];
    Eventually.await(
        Duration.ofSeconds(10),
        "a server with the watch",
        () -> {
          for (ServerProcess server : servers) {
            if (server.isAlive() && server.status().getWatchers() == 1) {
              found[0] = server;
              return true;
            }
          }
          return false;
        });
    return found[0];
  }
}
