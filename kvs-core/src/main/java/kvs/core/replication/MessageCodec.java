package kvs.core.replication;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes replication messages as JSON (schema in the README, "Replication"):
 *
 * <pre>{@code
 * {"format":1,"origin":"host-9000","run":"5f0c...","seq":7,
 *  "ops":[{"op":"put","key":"chave1","value":"valor1"},
 *         {"op":"remove","key":"chave1","version":1},
 *         {"op":"remove","key":"chave2"}]}
 * }</pre>
 *
 * Decoding is strict about what it needs and ignores fields it does not know, so a later format
 * can add fields without breaking this one. Thread-safe.
 */
public final class MessageCodec {
  private final ObjectMapper mapper = new ObjectMapper();

  /** The UTF-8 JSON of {@code message}. */
  public byte[] encode(ReplicationMessage message) {
    ObjectNode root = mapper.createObjectNode();
    root.put("format", ReplicationMessage.FORMAT);
    root.put("origin", message.origin());
    root.put("run", message.run());
    root.put("seq", message.sequence());
    ArrayNode ops = root.putArray("ops");
    for (Operation operation : message.operations()) {
      ObjectNode op = ops.addObject();
      if (operation instanceof Operation.Put put) {
        op.put("op", "put");
        op.put("key", put.key());
        op.put("value", put.value());
      } else if (operation instanceof Operation.Remove remove) {
        op.put("op", "remove");
        op.put("key", remove.key());
        if (!remove.removesAll()) {
          op.put("version", remove.version());
        }
      }
    }
    try {
      return mapper.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }

  /** Reads one message; any problem is a {@link MalformedMessageException}, never a partial message. */
  public ReplicationMessage decode(byte[] json) throws MalformedMessageException {
    JsonNode root;
    try {
      root = mapper.readTree(json);
    } catch (IOException e) {
      throw new MalformedMessageException("not JSON: " + e.getMessage(), null);
    }
    if (root == null || !root.isObject()) {
      throw new MalformedMessageException("not a JSON object", null);
    }
    String origin = root.path("origin").isTextual() ? root.get("origin").asText() : null;
    JsonNode format = root.get("format");
    if (format == null || !format.canConvertToExactIntegral()) {
      throw new MalformedMessageException("missing or non-integer \"format\"", origin);
    }
    if (format.asInt() != ReplicationMessage.FORMAT) {
      throw new MalformedMessageException("unknown format " + format.asText(), origin);
    }
    if (origin == null) {
      throw new MalformedMessageException("missing or non-text \"origin\"", null);
    }
    String run = requiredText(root, "run", origin);
    JsonNode seq = root.get("seq");
    if (seq == null || !seq.canConvertToExactIntegral() || !seq.canConvertToLong() || seq.asLong() < 1) {
      throw new MalformedMessageException("\"seq\" must be an integer >= 1", origin);
    }
    JsonNode ops = root.get("ops");
    if (ops == null || !ops.isArray() || ops.isEmpty()) {
      throw new MalformedMessageException("\"ops\" must be a non-empty array", origin);
    }
    List<Operation> operations = new ArrayList<>(ops.size());
    for (JsonNode op : ops) {
      operations.add(decodeOperation(op, origin));
    }
    return new ReplicationMessage(origin, run, seq.asLong(), operations);
  }

  private static Operation decodeOperation(JsonNode op, String origin)
      throws MalformedMessageException {
    if (!op.isObject()) {
      throw new MalformedMessageException("an operation is not a JSON object", origin);
    }
    String kind = requiredText(op, "op", origin);
    String key = requiredText(op, "key", origin);
    switch (kind) {
      case "put":
        return new Operation.Put(key, requiredText(op, "value", origin));
      case "remove":
        JsonNode version = op.get("version");
        if (version == null || version.isNull()) {
          return Operation.Remove.all(key);
        }
        if (!version.canConvertToExactIntegral() || !version.canConvertToInt()) {
          throw new MalformedMessageException("\"version\" must be a 32-bit integer", origin);
        }
        return new Operation.Remove(key, version.asInt());
      default:
        throw new MalformedMessageException("unknown operation \"" + kind + "\"", origin);
    }
  }

  private static String requiredText(JsonNode node, String field, String origin)
      throws MalformedMessageException {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new MalformedMessageException("missing or non-text \"" + field + "\"", origin);
    }
    return value.asText();
  }
}
