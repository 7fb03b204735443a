package kvs.core.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import kvs.core.KeyRecord;
import org.junit.jupiter.api.Test;

/**
 * Pins the replication messages' wire form: one JSON fixture per message kind, which the codec must
 * write byte for byte and read back to the same message; and every field of the fixtures must be
 * documented in the README's message schema. A change to the schema changes a fixture here, on
 * purpose, and the README with it.
 */
class WireSchemaGoldenTest {
  private static final String RUN = "5b0d6c1e-3f0a-4c39-9a57-0d7f0b6f1a2e";
  private final MessageCodec codec = new MessageCodec();

  private static String fixture(String name) throws IOException {
    try (InputStream in = WireSchemaGoldenTest.class.getResourceAsStream("golden/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
  }

  private static final ReplicationMessage WRITES =
      new ReplicationMessage(
          "vm-9000",
          RUN,
          42,
          List.of(
              new Operation.Put("chave1", "valor1", Optional.of("client-7#0")),
              new Operation.Remove("chave1", 1, Optional.empty()),
              Operation.Remove.all("chave2")),
          1_764_622_800_000L);

  private static final StateRequest STATE_REQUEST =
      new StateRequest(
          "vm-9002",
          RUN,
          "4e0b7a52-0c4f-4f0e-8a3b-7d1f2b9e6c10",
          "kvs/replication/state/kvs-vm-9002",
          List.of(
              new StateRequest.Point(1234, 0x0a1b2c3d4e5f6071L),
              new StateRequest.Point(1233, 0x7d3c9e01a2b4c5d6L)));

  private static final Heartbeat HEARTBEAT =
      new Heartbeat("vm-9001", RUN, 9001, 1234, 0x0a1b2c3d4e5f6071L, 17, true);

  private static final Presence PRESENCE = new Presence("vm-9000", RUN, 9000);

  private static StateChunk chunk(long base, long stateDigest) {
    TreeMap<Integer, String> versions = new TreeMap<>();
    versions.put(4, "valor4");
    versions.put(5, "valor5");
    return new StateChunk(
        "4e0b7a52-0c4f-4f0e-8a3b-7d1f2b9e6c10",
        "vm-9000",
        0,
        20,
        1234,
        0x0a1b2c3d4e5f6071L,
        1_764_622_800_000L,
        List.of(new RunSequence("vm-9000", RUN, 17)),
        List.of(RecentRequest.of("client-7#0", 3, 1_764_622_799_000L)),
        List.of(new KeyRecord("chave1", 5, versions), new KeyRecord("chave2", 3, new TreeMap<>())),
        base,
        stateDigest);
  }

  @Test
  void writes() throws Exception {
    assertEquals(fixture("writes.json"), utf8(codec.encode(WRITES)));
    assertEquals(WRITES, codec.decode(fixture("writes.json").getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void stateRequest() throws Exception {
    assertEquals(fixture("state-request.json"), utf8(codec.encode(STATE_REQUEST)));
    assertEquals(
        STATE_REQUEST,
        codec.decode(fixture("state-request.json").getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void heartbeat() throws Exception {
    assertEquals(fixture("heartbeat.json"), utf8(codec.encode(HEARTBEAT)));
    assertEquals(
        HEARTBEAT, codec.decode(fixture("heartbeat.json").getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void presence() throws Exception {
    assertEquals(fixture("presence.json"), utf8(PRESENCE.encode()));
    assertEquals(
        PRESENCE, Presence.decode(fixture("presence.json").getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void stateChunkOfAWholeState() throws Exception {
    StateChunk whole = chunk(StateChunk.WHOLE, 0);
    assertEquals(fixture("state-chunk.json"), utf8(codec.encodeChunk(whole)));
    assertEquals(
        whole, codec.decodeChunk(fixture("state-chunk.json").getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void stateChunkOfChanges() throws Exception {
    StateChunk changes = chunk(1200, 0x7d3c9e01a2b4c5d6L);
    assertEquals(fixture("state-chunk-changes.json"), utf8(codec.encodeChunk(changes)));
    assertEquals(
        changes,
        codec.decodeChunk(fixture("state-chunk-changes.json").getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void theReadmeDocumentsEveryFieldOfEveryMessage() throws IOException {
    String readme = Files.readString(Path.of("../README.md"));
    ObjectMapper mapper = new ObjectMapper();
    TreeSet<String> fields = new TreeSet<>();
    for (String name :
        List.of(
            "writes.json",
            "state-request.json",
            "heartbeat.json",
            "presence.json",
            "state-chunk.json",
            "state-chunk-changes.json")) {
      collectFields(mapper.readTree(fixture(name)), fields);
    }
    List<String> undocumented = new ArrayList<>();
    for (String field : fields) {
      if (!readme.contains("`" + field + "`")
          && !readme.contains("`ops[]." + field + "`")
          && !readme.contains("\"" + field + "\"")) {
        undocumented.add(field);
      }
    }
    assertTrue(fields.size() > 20, "fields found: " + fields);
    assertEquals(
        List.of(), undocumented, "fields of the wire format that the README does not name");
  }

  private static void collectFields(JsonNode node, TreeSet<String> fields) {
    if (node.isObject()) {
      for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        fields.add(name);
        collectFields(node.get(name), fields);
      }
    } else if (node.isArray()) {
      node.forEach(child -> collectFields(child, fields));
    }
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
