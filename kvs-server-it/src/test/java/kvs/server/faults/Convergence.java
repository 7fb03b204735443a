package kvs.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import kvs.proto.ChaveVersao;
import kvs.proto.Tupla;
import kvs.proto.Versao;
import kvs.proto.admin.StatusReply;
import kvs.server.testing.ServerProcess;
import kvs.testing.Eventually;

/** What every fault test asserts at the end: one state everywhere, nothing acknowledged lost. */
final class Convergence {
  private Convergence() {}

  /** Waits until all servers serve at one position with one digest. */
  static void awaitAgreement(List<ServerProcess> servers) {
    try {
      awaitAgreementOrFail(servers);
    } catch (AssertionError e) {
      StringBuilder report = new StringBuilder(e.getMessage());
      for (ServerProcess server : servers) {
        report.append("\n--- port ").append(server.port()).append(": ");
        try {
          report.append(server.status().toString().replace('\n', ' '));
        } catch (RuntimeException unreachable) {
          report.append(unreachable);
        }
        List<String> lines = server.logText().lines().toList();
        report
            .append("\n")
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
      }
      throw new AssertionError(report.toString(), e);
    }
  }

  private static void awaitAgreementOrFail(List<ServerProcess> servers) {
    Eventually.await(
        Duration.ofSeconds(60),
        "all servers caught up at the same position and digest",
        () -> {
          try {
            List<StatusReply> statuses = servers.stream().map(ServerProcess::status).toList();
            StatusReply first = statuses.get(0);
            return statuses.stream()
                .allMatch(
                    s ->
                        s.getCaughtUp()
                            && s.getBrokerConnected()
                            && s.getPosition() == first.getPosition()
                            && s.getDigest().equals(first.getDigest()));
          } catch (RuntimeException e) {
            return false;
          }
        });
  }

  /** Identical Snapshot(0) everywhere, holding every acknowledged write. */
  static void assertConvergedWith(
      List<ServerProcess> servers, Map<String, Map<Integer, String>> acknowledged) {
    awaitAgreement(servers);
    List<Tupla> first = snapshot(servers.get(0));
    for (ServerProcess server : servers) {
      assertEquals(first, snapshot(server), "Snapshot(0) of port " + server.port());
      acknowledged.forEach(
          (key, versions) ->
              versions.forEach(
                  (version, value) -> {
                    Tupla found =
                        server
                            .kvs()
                            .consulta(
                                ChaveVersao.newBuilder().setChave(key).setVersao(version).build());
                    assertEquals(
                        Tupla.newBuilder().setChave(key).setValor(value).setVersao(version).build(),
                        found,
                        "acknowledged write " + key + "@" + version + " on port " + server.port());
                  }));
    }
  }

  static List<Tupla> snapshot(ServerProcess server) {
    List<Tupla> entries = new ArrayList<>();
    server.kvs().snapshot(Versao.newBuilder().setVersao(0).build()).forEachRemaining(entries::add);
    return entries;
  }
}
