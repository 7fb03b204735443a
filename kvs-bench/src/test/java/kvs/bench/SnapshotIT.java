package kvs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import kvs.testing.KvsClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The snapshot workload on a cluster of its own, so the store holds exactly the loaded keys. */
@Timeout(120)
class SnapshotIT {

  @RegisterExtension static final KvsClusterExtension cluster = KvsClusterExtension.withServers(3);

  @Test
  void everySnapshotReturnsEveryLoadedKey() {
    JsonNode json =
        BenchRun.of(
                "snapshot", "-t", cluster.targets(), "--keys", "5000", "-n", "4", "--json", "-q")
            .json();
    assertEquals(4, json.get("ops").asLong(), "snapshots");
    assertEquals(0, json.get("errors").asLong(), json.toString());
    assertEquals(5000, json.get("entries_per_snapshot").asLong());
    assertEquals(20_000, json.get("items").asLong(), "tuples over the 4 snapshots");
    assertEquals(1, json.get("concurrency").asInt(), "one snapshot at a time by default");
    BenchRun.saneLatencies(json, "");
  }
}
