package kvs.core.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Objects;

/**
 * A server says it is there: kept by the broker as a retained message on the server's own presence
 * topic while it is connected, and cleared (by its Last Will, or as it leaves) when it is not. A
 * server that subscribes to the presence topics learns at once who else is live, so it knows whose
 * answers to wait for when it catches up, and need not wait for nobody.
 *
 * <pre>{@code {"format":1,"kind":"presence","origin":"vm-9000","run":"5b0d...","port":9000}}</pre>
 *
 * @param port the server's gRPC port; 0 when it has none (in-process)
 */
public record Presence(String origin, String run, int port) {
  static final String KIND = "presence";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  public Presence {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(run, "run");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535 (0: none): " + port);
    }
  }

  /** The UTF-8 JSON of this presence. */
  public byte[] encode() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", ReplicationMessage.FORMAT);
    root.put("kind", KIND);
    root.put("origin", origin);
    root.put("run", run);
    root.put("port", port);
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }

  /** Reads a presence; anything else is a {@link MalformedMessageException}. */
  public static Presence decode(byte[] json) throws MalformedMessageException {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw MalformedMessageException.notJson("presence", e);
    }
    if (root == null || !root.isObject()) {
      throw new MalformedMessageException("presence is not a JSON object", null);
    }
    String origin = root.path("origin").isTextual() ? root.get("origin").asText() : null;
    if (root.path("format").asInt(-1) != ReplicationMessage.FORMAT
        || !KIND.equals(root.path("kind").asText())) {
      throw new MalformedMessageException(
          "not a presence of format " + ReplicationMessage.FORMAT, origin);
    }
    JsonNode run = root.get("run");
    JsonNode port = root.get("port");
    if (origin == null || run == null || !run.isTextual()) {
      throw new MalformedMessageException("presence without text \"origin\" and \"run\"", origin);
    }
    if (port == null
        || !port.canConvertToExactIntegral()
        || port.asLong() < 0
        || port.asLong() > 65535) {
      throw new MalformedMessageException(
          "presence \"port\" must be an integer in [0, 65535]", origin);
    }
    return new Presence(origin, run.asText(), port.asInt());
  }
}
