package kvs.core.replication;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import kvs.core.KeyRecord;

/**
 * Reads and writes the replication stream's messages and state-transfer chunks as JSON (schema in
 * the README, "Replication"). A writes message:
 *
 * <pre>{@code
 * {"format":1,"kind":"writes","origin":"host-9000","run":"5f0c...","seq":7,"ts":1700000000000,
 *  "ops":[{"op":"put","key":"chave1","value":"valor1"},
 *         {"op":"remove","key":"chave1","version":1},
 *         {"op":"remove","key":"chave2"}]}
 * }</pre>
 *
 * {@code ts} (the origin's wall clock when it published, ms since the epoch) is written only when
 * known and reads as 0 when absent.
 *
 * <p>Decoding is strict about what it needs and ignores fields it does not know, so a later format
 * can add fields without breaking this one; a message without {@code kind} is a writes message.
 * Thread-safe.
 */
public final class MessageCodec {
  static final String WRITES = "writes";
  static final String STATE_REQUEST = "state-request";
  static final String HEARTBEAT = "heartbeat";
  static final String STATE_CHUNK = "state-chunk";

  private final ObjectMapper mapper = new ObjectMapper();

  /** The UTF-8 JSON of {@code message}. */
  public byte[] encode(StreamMessage message) {
    ObjectNode root = mapper.createObjectNode();
    root.put("format", ReplicationMessage.FORMAT);
    if (message instanceof ReplicationMessage writes) {
      header(root, WRITES, writes);
      root.put("seq", writes.sequence());
      if (writes.timestamp() != ReplicationMessage.NO_TIMESTAMP) {
        root.put("ts", writes.timestamp());
      }
      ArrayNode ops = root.putArray("ops");
      writes.operations().forEach(operation -> encodeOperation(ops.addObject(), operation));
    } else if (message instanceof StateRequest request) {
      header(root, STATE_REQUEST, request);
      root.put("request", request.requestId());
      root.put("replyTopic", request.replyTopic());
      if (!request.since().isEmpty()) {
        ArrayNode since = root.putArray("since");
        request
            .since()
            .forEach(
                point -> since.addArray().add(point.position()).add(hex16(point.stateDigest())));
      }
    } else if (message instanceof Heartbeat heartbeat) {
      header(root, HEARTBEAT, heartbeat);
      root.put("port", heartbeat.port());
      root.put("position", heartbeat.position());
      root.put("digest", hex16(heartbeat.digest()));
      root.put("lastOwnSeq", heartbeat.lastOwnSequence());
      root.put("caughtUp", heartbeat.caughtUp());
    }
    return write(root);
  }

  /**
   * The UTF-8 JSON of one state-transfer chunk. Besides the keys and runs it carries {@code
   * "time"}, the image's stream time (ms), and {@code "requests"}, its slice of the recent
   * requests, oldest first, each {@code ["<fingerprint, 32 hex digits>", result, time]}.
   */
  public byte[] encodeChunk(StateChunk chunk) {
    ObjectNode root = mapper.createObjectNode();
    root.put("format", ReplicationMessage.FORMAT);
    root.put("kind", STATE_CHUNK);
    root.put("request", chunk.requestId());
    root.put("from", chunk.from());
    root.put("index", chunk.index());
    root.put("total", chunk.total());
    root.put("position", chunk.position());
    root.put("digest", hex16(chunk.digest()));
    root.put("time", chunk.streamTime());
    if (chunk.isChanges()) {
      root.put("base", chunk.base());
      root.put("state", hex16(chunk.stateDigest()));
    }
    ArrayNode runs = root.putArray("runs");
    for (RunSequence run : chunk.runs()) {
      runs.addObject()
          .put("origin", run.origin())
          .put("run", run.run())
          .put("seq", run.lastSequence());
    }
    ArrayNode requests = root.putArray("requests");
    for (RecentRequest request : chunk.requests()) {
      requests
          .addArray()
          .add(request.fingerprint().toHex())
          .add(request.result())
          .add(request.time());
    }
    ArrayNode keys = root.putArray("keys");
    for (KeyRecord record : chunk.keys()) {
      ObjectNode key =
          keys.addObject().put("key", record.key()).put("highest", record.highestVersion());
      ArrayNode versions = key.putArray("versions");
      record.versions().forEach((version, value) -> versions.addArray().add(version).add(value));
    }
    return write(root);
  }

  /**
   * Reads one stream message; any problem is a {@link MalformedMessageException}, never a partial
   * message.
   */
  public StreamMessage decode(byte[] json) throws MalformedMessageException {
    JsonNode root = readObject(json);
    String origin = root.path("origin").isTextual() ? root.get("origin").asText() : null;
    checkFormat(root, origin);
    if (origin == null) {
      throw new MalformedMessageException("missing or non-text \"origin\"", null);
    }
    String run = requiredText(root, "run", origin);
    String kind = root.has("kind") ? requiredText(root, "kind", origin) : WRITES;
    switch (kind) {
      case WRITES:
        return decodeWrites(root, origin, run);
      case STATE_REQUEST:
        return new StateRequest(
            origin,
            run,
            requiredText(root, "request", origin),
            requiredText(root, "replyTopic", origin),
            since(root, origin));
      case HEARTBEAT:
        return new Heartbeat(
            origin,
            run,
            (int) requiredLong(root, "port", origin, 0, 65535),
            requiredLong(root, "position", origin, 0, Long.MAX_VALUE),
            hex(root, "digest", origin),
            requiredLong(root, "lastOwnSeq", origin, 0, Long.MAX_VALUE),
            requiredBoolean(root, "caughtUp", origin));
      default:
        throw new MalformedMessageException("unknown kind \"" + kind + "\"", origin);
    }
  }

  /** Reads one state-transfer chunk. */
  public StateChunk decodeChunk(byte[] json) throws MalformedMessageException {
    JsonNode root = readObject(json);
    String from = root.path("from").isTextual() ? root.get("from").asText() : null;
    checkFormat(root, from);
    if (!STATE_CHUNK.equals(root.path("kind").asText())) {
      throw new MalformedMessageException("not a state chunk", from);
    }
    if (from == null) {
      throw new MalformedMessageException("missing or non-text \"from\"", null);
    }
    List<RunSequence> runs = new ArrayList<>();
    for (JsonNode run : requiredArray(root, "runs", from)) {
      runs.add(
          new RunSequence(
              requiredText(run, "origin", from),
              requiredText(run, "run", from),
              requiredLong(run, "seq", from, 0, Long.MAX_VALUE)));
    }
    // Absent in chunks of servers that predate it: 0, as a state machine that never saw a
    // timestamp.
    long streamTime = root.has("time") ? requiredLong(root, "time", from, 0, Long.MAX_VALUE) : 0;
    List<RecentRequest> requests = new ArrayList<>();
    // Absent in chunks of servers that predate request ids: no recent requests.
    for (JsonNode entry :
        root.has("requests") ? requiredArray(root, "requests", from) : emptyArray()) {
      requests.add(decodeRequest(entry, streamTime, from));
    }
    List<KeyRecord> keys = new ArrayList<>();
    for (JsonNode key : requiredArray(root, "keys", from)) {
      TreeMap<Integer, String> versions = new TreeMap<>();
      for (JsonNode pair : requiredArray(key, "versions", from)) {
        if (!pair.isArray()
            || pair.size() != 2
            || !pair.get(0).canConvertToExactIntegral()
            || !pair.get(0).canConvertToInt()
            || pair.get(0).asInt() < 1
            || !pair.get(1).isTextual()) {
          throw new MalformedMessageException("a version must be [integer >= 1, text]", from);
        }
        if (versions.put(pair.get(0).asInt(), pair.get(1).asText()) != null) {
          throw new MalformedMessageException("version " + pair.get(0).asInt() + " twice", from);
        }
      }
      try {
        keys.add(
            new KeyRecord(
                requiredText(key, "key", from),
                (int) requiredLong(key, "highest", from, 0, Integer.MAX_VALUE),
                versions));
      } catch (IllegalArgumentException e) {
        throw new MalformedMessageException(e.getMessage(), from);
      }
    }
    try {
      return new StateChunk(
          requiredText(root, "request", from),
          from,
          (int) requiredLong(root, "index", from, 0, Integer.MAX_VALUE),
          (int) requiredLong(root, "total", from, 1, Integer.MAX_VALUE),
          requiredLong(root, "position", from, 0, Long.MAX_VALUE),
          hex(root, "digest", from),
          streamTime,
          runs,
          requests,
          keys,
          // Absent in whole states, and in chunks of servers that predate repairs.
          root.has("base") ? requiredLong(root, "base", from, 0, Long.MAX_VALUE) : StateChunk.WHOLE,
          root.has("base") ? hex(root, "state", from) : 0);
    } catch (IllegalArgumentException e) {
      throw new MalformedMessageException(e.getMessage(), from);
    }
  }

  /**
   * One recent request: {@code ["<32 hex digits>", result, time]}, or {@code [request id, result]}
   * as written before fingerprints and times (snapshots on disk from then), which is fingerprinted
   * here and given the chunk's stream time, so that it lives a full window from now on.
   */
  private static RecentRequest decodeRequest(JsonNode entry, long streamTime, String from)
      throws MalformedMessageException {
    if (!entry.isArray() || (entry.size() != 2 && entry.size() != 3)) {
      throw new MalformedMessageException(
          "a recent request must be [fingerprint, result, time] or [id, result]", from);
    }
    if (!entry.get(0).isTextual()) {
      throw new MalformedMessageException(
          "a recent request's fingerprint or id must be text", from);
    }
    JsonNode result = entry.get(1);
    if (!result.canConvertToExactIntegral() || !result.canConvertToInt()) {
      throw new MalformedMessageException(
          "a recent request's result must be a 32-bit integer", from);
    }
    if (entry.size() == 2) {
      return RecentRequest.of(entry.get(0).asText(), result.asInt(), streamTime);
    }
    JsonNode time = entry.get(2);
    if (!time.canConvertToExactIntegral() || !time.canConvertToLong() || time.asLong() < 0) {
      throw new MalformedMessageException("a recent request's time must be an integer >= 0", from);
    }
    RequestFingerprint id;
    try {
      id = RequestFingerprint.parseHex(entry.get(0).asText());
    } catch (IllegalArgumentException e) {
      throw new MalformedMessageException(
          "a recent request's fingerprint must be 32 hex digits", from);
    }
    return new RecentRequest(id.high(), id.low(), result.asInt(), time.asLong());
  }

  private static void header(ObjectNode root, String kind, StreamMessage message) {
    root.put("kind", kind);
    root.put("origin", message.origin());
    root.put("run", message.run());
  }

  private static void encodeOperation(ObjectNode op, Operation operation) {
    operation.requestId().ifPresent(id -> op.put("rid", id));
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

  private static ReplicationMessage decodeWrites(JsonNode root, String origin, String run)
      throws MalformedMessageException {
    JsonNode seq = root.get("seq");
    if (seq == null
        || !seq.canConvertToExactIntegral()
        || !seq.canConvertToLong()
        || seq.asLong() < 1) {
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
    // Absent in messages of servers that predate it: unknown (0).
    long timestamp =
        root.has("ts")
            ? requiredLong(root, "ts", origin, 0, Long.MAX_VALUE)
            : ReplicationMessage.NO_TIMESTAMP;
    return new ReplicationMessage(origin, run, seq.asLong(), operations, timestamp);
  }

  private static Operation decodeOperation(JsonNode op, String origin)
      throws MalformedMessageException {
    if (!op.isObject()) {
      throw new MalformedMessageException("an operation is not a JSON object", origin);
    }
    String kind = requiredText(op, "op", origin);
    String key = requiredText(op, "key", origin);
    Optional<String> requestId =
        op.has("rid") ? Optional.of(requiredText(op, "rid", origin)) : Optional.empty();
    switch (kind) {
      case "put":
        return new Operation.Put(key, requiredText(op, "value", origin), requestId);
      case "remove":
        JsonNode version = op.get("version");
        if (version == null || version.isNull()) {
          return new Operation.Remove(key, Operation.Remove.ALL_VERSIONS, requestId);
        }
        if (!version.canConvertToExactIntegral() || !version.canConvertToInt()) {
          throw new MalformedMessageException("\"version\" must be a 32-bit integer", origin);
        }
        return new Operation.Remove(key, version.asInt(), requestId);
      default:
        throw new MalformedMessageException("unknown operation \"" + kind + "\"", origin);
    }
  }

  private JsonNode readObject(byte[] json) throws MalformedMessageException {
    JsonNode root;
    try {
      root = mapper.readTree(json);
    } catch (IOException e) {
      throw MalformedMessageException.notJson("the message", e);
    }
    if (root == null || !root.isObject()) {
      throw new MalformedMessageException("not a JSON object", null);
    }
    return root;
  }

  private static void checkFormat(JsonNode root, String origin) throws MalformedMessageException {
    JsonNode format = root.get("format");
    if (format == null || !format.canConvertToExactIntegral()) {
      throw new MalformedMessageException("missing or non-integer \"format\"", origin);
    }
    if (format.asInt() != ReplicationMessage.FORMAT) {
      throw new MalformedMessageException("unknown format " + format.asText(), origin);
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

  private static long requiredLong(JsonNode node, String field, String origin, long min, long max)
      throws MalformedMessageException {
    JsonNode value = node.get(field);
    if (value == null
        || !value.canConvertToExactIntegral()
        || !value.canConvertToLong()
        || value.asLong() < min
        || value.asLong() > max) {
      throw new MalformedMessageException(
          "\"" + field + "\" must be an integer in [" + min + ", " + max + "]", origin);
    }
    return value.asLong();
  }

  private static boolean requiredBoolean(JsonNode node, String field, String origin)
      throws MalformedMessageException {
    JsonNode value = node.get(field);
    if (value == null || !value.isBoolean()) {
      throw new MalformedMessageException("missing or non-boolean \"" + field + "\"", origin);
    }
    return value.asBoolean();
  }

  // A state request's points, [position, "hex digest"] each; absent: none (a whole state).
  private static List<StateRequest.Point> since(JsonNode root, String origin)
      throws MalformedMessageException {
    List<StateRequest.Point> points = new ArrayList<>();
    if (root.path("since").size() > StateRequest.MAX_POINTS) {
      throw new MalformedMessageException(
          "more than " + StateRequest.MAX_POINTS + " points in \"since\"", origin);
    }
    for (JsonNode point : root.has("since") ? requiredArray(root, "since", origin) : emptyArray()) {
      if (!point.isArray()
          || point.size() != 2
          || !point.get(0).canConvertToExactIntegral()
          || !point.get(0).canConvertToLong()
          || point.get(0).asLong() < 0
          || !point.get(1).isTextual()) {
        throw new MalformedMessageException(
            "a point of \"since\" must be [position >= 0, \"hex digest\"]", origin);
      }
      try {
        points.add(
            new StateRequest.Point(
                point.get(0).asLong(), Long.parseUnsignedLong(point.get(1).asText(), 16)));
      } catch (NumberFormatException e) {
        throw new MalformedMessageException(
            "a point's digest is not hex: " + point.get(1).asText(), origin);
      }
    }
    return points;
  }

  // Digests are written as 16 hex digits, leading zeros included (any hex is read).
  private static String hex16(long digest) {
    return String.format("%016x", digest);
  }

  private static long hex(JsonNode node, String field, String origin)
      throws MalformedMessageException {
    try {
      return Long.parseUnsignedLong(requiredText(node, field, origin), 16);
    } catch (NumberFormatException e) {
      throw new MalformedMessageException("\"" + field + "\" must be hexadecimal", origin);
    }
  }

  private static JsonNode emptyArray() {
    return JsonNodeFactory.instance.arrayNode();
  }

  private static JsonNode requiredArray(JsonNode node, String field, String origin)
      throws MalformedMessageException {
    JsonNode value = node.get(field);
    if (value == null || !value.isArray()) {
      throw new MalformedMessageException("missing or non-array \"" + field + "\"", origin);
    }
    return value;
  }

  private byte[] write(ObjectNode root) {
    try {
      return mapper.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }
}
