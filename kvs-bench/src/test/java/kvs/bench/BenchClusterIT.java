package kvs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import kvs.proto.KVSGrpc;
import kvs.proto.Tupla;
import kvs.proto.Versao;
import kvs.testing.KvsClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every workload against a real cluster of three servers (kvs-testing), through the command. */
@Timeout(120)
class BenchClusterIT {

  @RegisterExtension static final KvsClusterExtension cluster = KvsClusterExtension.withServers(3);

  private static String[] args(String workload, String... more) {
    String[] all = new String[more.length + 4];
    all[0] = workload;
    all[1] = "-t";
    all[2] = cluster.targets();
    all[3] = "-q";
    System.arraycopy(more, 0, all, 4, more.length);
    return all;
  }

  private static JsonNode runJson(String workload, String... more) {
    String[] withJson = new String[more.length + 1];
    System.arraycopy(more, 0, withJson, 0, more.length);
    withJson[more.length] = "--json";
    JsonNode json = BenchRun.of(args(workload, withJson)).json();
    assertEquals(workload, json.get("workload").asText());
    assertEquals("kvs", json.get("system").asText());
    assertEquals(3, json.get("targets").size());
    assertEquals(0, json.get("errors").asLong(), "no errors: " + json);
    return json;
  }

  @Test
  void insereCountsEveryWrite() {
    JsonNode json = runJson("insere", "-n", "2000", "-c", "16");
    assertEquals(2000, json.get("ops").asLong());
    assertEquals(16, json.get("concurrency").asInt());
    assertTrue(json.get("ops_per_s").asDouble() > 0);
    assertTrue(json.get("duration_s").asDouble() > 0);
    BenchRun.saneLatencies(json, "");
  }

  @Test
  void insereOnOneSharedKey() {
    JsonNode json =
        runJson("insere", "-n", "500", "--keys", "1", "--key-size", "20", "--value-size", "100");
    assertEquals(500, json.get("ops").asLong());
    assertEquals(1, json.get("keys").asLong());
    assertEquals(100, json.get("value_size").asInt());
    BenchRun.saneLatencies(json, "");
  }

  @Test
  void consultaFindsEveryLoadedKey() {
    JsonNode json =
        runJson("consulta", "--keys", "3000", "--preload", "-n", "4000", "--batch", "500");
    assertEquals(4000, json.get("ops").asLong());
    assertEquals(
        0, json.get("not_found").asLong(), "every key was loaded, on every server: " + json);
    BenchRun.saneLatencies(json, "");
  }

  @Test
  void mixedReadsAndWrites() {
    JsonNode json =
        runJson("mixed", "--keys", "1000", "--preload", "-n", "2000", "--read-ratio", "0.7");
    assertEquals(2000, json.get("ops").asLong());
    assertEquals(0.7, json.get("read_ratio").asDouble());
    assertEquals(0, json.get("not_found").asLong());
    BenchRun.saneLatencies(json, "");
  }

  @Test
  void insereVariasLeavesEveryItemOnEveryServer() {
    // Keys of 17 characters: a key space no other test of this class writes.
    JsonNode json =
        runJson("insere-varias", "-n", "5500", "--batch", "1000", "-c", "3", "--key-size", "17");
    assertEquals(5500, json.get("items").asLong());
    assertEquals(6, json.get("ops").asLong(), "5 streams of 1000 and one of 500");
    assertEquals(1000, json.get("batch").asInt());
    assertTrue(json.get("items_per_s").asDouble() > json.get("ops_per_s").asDouble());
    BenchRun.saneLatencies(json, "");

    cluster.awaitConverged();
    NumberedText keys = new NumberedText("bench-", 17);
    NumberedText values = new NumberedText("v", 16);
    for (int server = 0; server < cluster.size(); server++) {
      Map<String, String> snapshot = snapshot(cluster.port(server));
      for (int i = 0; i < 5500; i++) {
        assertEquals(
            values.text(i), snapshot.get(keys.text(i)), "item " + i + " on server " + server);
      }
    }
  }

  @Test
  void lagReportsTheLagUnderABackgroundLoad() {
    JsonNode json = runJson("lag", "-n", "300", "--probe-rate", "300", "--rate", "500");
    assertEquals(300, json.get("ops").asLong(), "probes");
    assertEquals(300.0, json.get("rate_per_s").asDouble());
    assertEquals(500.0, json.get("load_rate_per_s").asDouble());
    double lag = BenchRun.saneLatencies(json, "lag_");
    double probe = BenchRun.saneLatencies(json, "");
    assertTrue(lag <= probe, "the lag is part of the probe's time");
    assertTrue(json.get("load_ops").asLong() > 100, "background writes ran: " + json);
    assertEquals(0, json.get("load_errors").asLong());
    BenchRun.saneLatencies(json, "load_");
  }

  @Test
  void aWarmUpIsNotCounted() {
    JsonNode json = runJson("insere", "-n", "300", "--warmup", "500ms");
    assertEquals(300, json.get("ops").asLong());
    assertEquals(0.5, json.get("warmup_s").asDouble());
  }

  @Test
  void aTimedRunAndAnOpenLoop() {
    JsonNode timed = runJson("insere", "-d", "1s", "-c", "4");
    assertTrue(timed.get("duration_s").asDouble() >= 1.0, timed.toString());
    assertTrue(timed.get("ops").asLong() > 0);

    JsonNode paced = runJson("insere", "-n", "400", "--rate", "400");
    assertEquals(400, paced.get("ops").asLong());
    assertEquals(400.0, paced.get("rate_per_s").asDouble());
    // Request 399 is due at 0.9975 s: the run cannot be shorter.
    assertTrue(paced.get("duration_s").asDouble() >= 0.99, paced.toString());
  }

  @Test
  void theHumanReport() {
    BenchRun run = BenchRun.of(args("consulta", "--keys", "500", "--preload", "-n", "1000"));
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(
        run.out()
            .startsWith(
                "consulta on kvs, 3 targets (" + cluster.targets().replace(",", ", ") + ")"),
        run.out());
    for (String text :
        new String[] {
          "16 in flight",
          "500 keys",
          "loaded     500 keys",
          "ops        1,000 in ",
          "errors     0",
          "latency    p50 "
        }) {
      assertTrue(run.out().contains(text), "'" + text + "' in\n" + run.out());
    }
    assertEquals("", run.err(), "-q: nothing on stderr");
  }

  private static Map<String, String> snapshot(int port) {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create())
            .build();
    try {
      Map<String, String> entries = new HashMap<>();
      Iterator<Tupla> tuples =
          KVSGrpc.newBlockingStub(channel)
              .withDeadlineAfter(30, TimeUnit.SECONDS)
              .snapshot(Versao.newBuilder().setVersao(0).build());
      tuples.forEachRemaining(t -> entries.put(t.getChave(), t.getValor()));
      return entries;
    } finally {
      channel.shutdownNow();
    }
  }
}
