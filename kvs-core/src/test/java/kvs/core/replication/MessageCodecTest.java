package kvs.core.replication;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import kvs.core.KeyRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageCodecTest {
  private final MessageCodec codec = new MessageCodec();

  @Test
  void roundTripsEveryOperation() throws Exception {
    ReplicationMessage message =
        new ReplicationMessage(
            "host-9000",
            "run-1",
            7,
            List.of(
                new Operation.Put("chave1", "valor \"1\" \u00e7\uD83D\uDE00"),
                new Operation.Remove("chave1", 3),
                Operation.Remove.all("chave2")));
    assertEquals(message, codec.decode(codec.encode(message)));
  }

  @Test
  void writesTheDocumentedSchema() {
    ReplicationMessage message =
        new ReplicationMessage(
            "host-9000",
            "r1",
            7,
            List.of(
                new Operation.Put("chave1", "valor1"),
                new Operation.Remove("chave1", 1),
                Operation.Remove.all("chave2")));
    assertEquals(
        "{\"format\":1,\"kind\":\"writes\",\"origin\":\"host-9000\",\"run\":\"r1\",\"seq\":7,\"ops\":["
            + "{\"op\":\"put\",\"key\":\"chave1\",\"value\":\"valor1\"},"
            + "{\"op\":\"remove\",\"key\":\"chave1\",\"version\":1},"
            + "{\"op\":\"remove\",\"key\":\"chave2\"}]}",
        new String(codec.encode(message), UTF_8));
  }

  @Test
  void ignoresUnknownFields() throws Exception {
    String json =
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"extra\":true,"
            + "\"ops\":[{\"op\":\"put\",\"key\":\"kkk\",\"value\":\"vvv\",\"ttl\":5}]}";
    assertEquals(
        new ReplicationMessage("o", "r", 1, List.of(new Operation.Put("kkk", "vvv"))),
        codec.decode(json.getBytes(UTF_8)));
  }

  @Test
  void roundTripsTheTimestampAsTs() throws Exception {
    ReplicationMessage stamped =
        new ReplicationMessage(
            "o", "r", 4, List.of(new Operation.Put("kkk", "vvv")), 1_700_000_000_123L);
    String json = new String(codec.encode(stamped), UTF_8);
    assertTrue(json.contains("\"seq\":4,\"ts\":1700000000123,"), json);
    assertEquals(stamped, codec.decode(codec.encode(stamped)));
    ReplicationMessage unknown =
        new ReplicationMessage("o", "r", 4, List.of(new Operation.Put("kkk", "vvv")));
    assertEquals(0, unknown.timestamp());
    assertTrue(
        !new String(codec.encode(unknown), UTF_8).contains("\"ts\""),
        "an unknown time is not written");
    assertEquals(unknown, codec.decode(codec.encode(unknown)));
  }

  @Test
  void aMessageWithoutTsHasTimestampZeroAndTsZeroReadsAsUnknown() throws Exception {
    String ops = "\"ops\":[{\"op\":\"put\",\"key\":\"kkk\",\"value\":\"vvv\"}]}";
    ReplicationMessage expected =
        new ReplicationMessage("o", "r", 1, List.of(new Operation.Put("kkk", "vvv")));
    assertEquals(
        expected,
        codec.decode(utf8("{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1," + ops)));
    assertEquals(
        expected,
        codec.decode(
            utf8("{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ts\":0," + ops)));
  }

  @Test
  void aNegativeTimestampIsAProgrammerError() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new ReplicationMessage("o", "r", 1, List.of(new Operation.Put("kkk", "vvv")), -1));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ts\":-1,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ts\":1.5,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ts\":\"5\",\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ts\":null,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ts\":true,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ts\":99999999999999999999,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}"
      })
  void rejectsAMalformedTs(String json) {
    MalformedMessageException e =
        assertThrows(MalformedMessageException.class, () -> codec.decode(utf8(json)));
    assertTrue(e.getMessage().contains("\"ts\""), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "not json",
        "[]",
        "42",
        "{\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"format\":2,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"format\":1,\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"format\":1,\"origin\":\"o\",\"seq\":1,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":0,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":\"1\",\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1.5,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":{}}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[5]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"drop\",\"key\":\"k\"}]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"put\",\"key\":\"k\"}]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"put\",\"value\":\"v\"}]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"put\",\"key\":1,\"value\":\"v\"}]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"remove\",\"key\":\"k\",\"version\":\"2\"}]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"remove\",\"key\":\"k\",\"version\":9999999999}]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"},"
            + " 3]}"
      })
  void rejectsMalformedMessagesWhole(String json) {
    assertThrows(MalformedMessageException.class, () -> codec.decode(json.getBytes(UTF_8)));
  }

  @Test
  void reportsTheOriginOfAMalformedMessageWhenKnown() {
    MalformedMessageException e =
        assertThrows(
            MalformedMessageException.class,
            () ->
                codec.decode(
                    "{\"format\":1,\"origin\":\"srv-1\",\"run\":\"r\",\"seq\":1,\"ops\":[]}"
                        .getBytes(UTF_8)));
    assertEquals(Optional.of("srv-1"), e.origin());
    MalformedMessageException noOrigin =
        assertThrows(MalformedMessageException.class, () -> codec.decode("{".getBytes(UTF_8)));
    assertEquals(Optional.empty(), noOrigin.origin());
  }

  // --- state requests, heartbeats and state chunks ---

  private static byte[] utf8(String json) {
    return json.getBytes(UTF_8);
  }

  private static KeyRecord record(String key, int highest, Object... versionValuePairs) {
    TreeMap<Integer, String> versions = new TreeMap<>();
    for (int i = 0; i < versionValuePairs.length; i += 2) {
      versions.put((Integer) versionValuePairs[i], (String) versionValuePairs[i + 1]);
    }
    return new KeyRecord(key, highest, versions);
  }

  @Test
  void roundTripsAStateRequest() throws Exception {
    StateRequest request =
        new StateRequest("host-9001", "run-7", "req-\u00e7-1", "kvs/state/host-9001/req-1");
    assertEquals(request, codec.decode(codec.encode(request)));
  }

  @Test
  void roundTripsAStateRequestForTheChangesSinceSomePoints() throws Exception {
    StateRequest request =
        new StateRequest(
            "host-9001",
            "run-7",
            "req-2",
            "kvs/state/host-9001/req-2",
            List.of(
                new StateRequest.Point(1_000, 0xFEDCBA9876543210L), new StateRequest.Point(0, 0)));
    byte[] json = codec.encode(request);
    assertTrue(
        new String(json, UTF_8)
            .contains("\"since\":[[1000,\"fedcba9876543210\"],[0,\"0000000000000000\"]]"),
        new String(json, UTF_8));
    assertEquals(request, codec.decode(json));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"since\":{}",
        "\"since\":[[1]]",
        "\"since\":[[-1,\"0\"]]",
        "\"since\":[[1.5,\"0\"]]",
        "\"since\":[[1,0]]",
        "\"since\":[[1,\"xyz\"]]",
        "\"since\":[1,\"0\"]"
      })
  void rejectsMalformedPointsOfAStateRequest(String since) {
    String json =
        "{\"format\":1,\"kind\":\"state-request\",\"origin\":\"srv-3\",\"run\":\"r\",\"request\":\"q\",\"replyTopic\":\"t\","
            + since
            + "}";
    MalformedMessageException e =
        assertThrows(MalformedMessageException.class, () -> codec.decode(utf8(json)));
    assertEquals(Optional.of("srv-3"), e.origin());
  }

  @Test
  void rejectsAStateRequestWithTooManyPoints() {
    String points =
        String.join(",", java.util.Collections.nCopies(StateRequest.MAX_POINTS + 1, "[1,\"0\"]"));
    String json =
        "{\"format\":1,\"kind\":\"state-request\",\"origin\":\"srv\",\"run\":\"r\",\"request\":\"q\",\"replyTopic\":\"t\",\"since\":["
            + points
            + "]}";
    assertThrows(MalformedMessageException.class, () -> codec.decode(utf8(json)));
  }

  @Test
  void roundTripsAChunkOfChangesWithItsBase() throws Exception {
    StateChunk chunk =
        new StateChunk(
            "req-1",
            "host-9000",
            0,
            1,
            50,
            7,
            0,
            List.of(),
            List.of(),
            List.of(record("chave9", 1, 1, "valor1")),
            42,
            0xFEDCBA9876543210L);
    byte[] json = codec.encodeChunk(chunk);
    assertTrue(
        new String(json, UTF_8).contains("\"base\":42,\"state\":\"fedcba9876543210\""),
        new String(json, UTF_8));
    StateChunk decoded = codec.decodeChunk(json);
    assertEquals(chunk, decoded);
    assertTrue(decoded.isChanges());
    assertFalse(
        codec
            .decodeChunk(
                codec.encodeChunk(
                    new StateChunk("q", "s", 0, 1, 0, 0, 0, List.of(), List.of(), List.of())))
            .isChanges());
  }

  @Test
  void roundTripsAHeartbeatWithTheDigestAsUnsignedHex() throws Exception {
    Heartbeat heartbeat =
        new Heartbeat("host-9000", "run-1", 9000, 123_456_789_012L, 0xFEDCBA9876543210L, 42, true);
    byte[] json = codec.encode(heartbeat);
    assertTrue(
        new String(json, UTF_8).contains("\"digest\":\"fedcba9876543210\""),
        new String(json, UTF_8));
    assertEquals(heartbeat, codec.decode(json));
    Heartbeat extremes = new Heartbeat("o", "r", 65535, 0, -1L, 0, false);
    assertEquals(extremes, codec.decode(codec.encode(extremes)));
    Heartbeat zero = new Heartbeat("o", "r", 0, Long.MAX_VALUE, 0, Long.MAX_VALUE, false);
    assertEquals(zero, codec.decode(codec.encode(zero)));
  }

  @Test
  void decodesAHeartbeatWrittenByHand() throws Exception {
    String json =
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":9000,"
            + "\"position\":10,\"digest\":\"FFFFFFFFFFFFFFFF\",\"lastOwnSeq\":3,\"caughtUp\":true,\"new\":1}";
    assertEquals(new Heartbeat("o", "r", 9000, 10, -1L, 3, true), codec.decode(utf8(json)));
  }

  @Test
  void writesWithoutKindOrWithKindWritesDecodeAlike() throws Exception {
    ReplicationMessage expected =
        new ReplicationMessage("o", "r", 3, List.of(new Operation.Put("kkk", "vvv")));
    String ops = "\"ops\":[{\"op\":\"put\",\"key\":\"kkk\",\"value\":\"vvv\"}]}";
    assertEquals(
        expected,
        codec.decode(utf8("{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":3," + ops)));
    assertEquals(
        expected,
        codec.decode(
            utf8(
                "{\"format\":1,\"kind\":\"writes\",\"origin\":\"o\",\"run\":\"r\",\"seq\":3,"
                    + ops)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // unknown or ill-typed kind
        "{\"format\":1,\"kind\":\"gossip\",\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"format\":1,\"kind\":\"WRITES\",\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"format\":1,\"kind\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"format\":1,\"kind\":null,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        // a chunk is not a stream message
        "{\"format\":1,\"kind\":\"state-chunk\",\"origin\":\"o\",\"run\":\"r\",\"from\":\"o\",\"request\":\"q\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[]}",
        // state requests
        "{\"format\":1,\"kind\":\"state-request\",\"origin\":\"o\",\"run\":\"r\",\"replyTopic\":\"t\"}",
        "{\"format\":1,\"kind\":\"state-request\",\"origin\":\"o\",\"run\":\"r\",\"request\":\"q\"}",
        "{\"format\":1,\"kind\":\"state-request\",\"origin\":\"o\",\"run\":\"r\",\"request\":7,\"replyTopic\":\"t\"}",
        "{\"format\":1,\"kind\":\"state-request\",\"origin\":\"o\",\"request\":\"q\",\"replyTopic\":\"t\"}",
        // heartbeats: each field missing, then ill-typed or out of range
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"position\":1,\"digest\":\"ab\",\"lastOwnSeq\":1,\"caughtUp\":true}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":1,\"digest\":\"ab\",\"lastOwnSeq\":1,\"caughtUp\":true}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":1,\"position\":1,\"lastOwnSeq\":1,\"caughtUp\":true}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":1,\"position\":1,\"digest\":\"ab\",\"caughtUp\":true}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":1,\"position\":1,\"digest\":\"ab\",\"lastOwnSeq\":1}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"port\":1,\"position\":1,\"digest\":\"ab\",\"lastOwnSeq\":1,\"caughtUp\":true}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":\"9000\",\"position\":1,\"digest\":\"ab\",\"lastOwnSeq\":1,\"caughtUp\":true}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":65536,\"position\":1,\"digest\":\"ab\",\"lastOwnSeq\":1,\"caughtUp\":true}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":-1,\"position\":1,\"digest\":\"ab\",\"lastOwnSeq\":1,\"caughtUp\":true}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":1,\"position\":-1,\"digest\":\"ab\",\"lastOwnSeq\":1,\"caughtUp\":true}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":1,\"position\":1.5,\"digest\":\"ab\",\"lastOwnSeq\":1,\"caughtUp\":true}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":1,\"position\":1,\"digest\":171,\"lastOwnSeq\":1,\"caughtUp\":true}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":1,\"position\":1,\"digest\":\"xyz\",\"lastOwnSeq\":1,\"caughtUp\":true}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":1,\"position\":1,\"digest\":\"\",\"lastOwnSeq\":1,\"caughtUp\":true}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":1,\"position\":1,\"digest\":\"1ffffffffffffffff\",\"lastOwnSeq\":1,\"caughtUp\":true}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":1,\"position\":1,\"digest\":\"ab\",\"lastOwnSeq\":-1,\"caughtUp\":true}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":1,\"position\":1,\"digest\":\"ab\",\"lastOwnSeq\":1,\"caughtUp\":\"true\"}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":1,\"position\":1,\"digest\":\"ab\",\"lastOwnSeq\":1,\"caughtUp\":1}",
        "{\"format\":2,\"kind\":\"heartbeat\",\"origin\":\"o\",\"run\":\"r\",\"port\":1,\"position\":1,\"digest\":\"ab\",\"lastOwnSeq\":1,\"caughtUp\":true}"
      })
  void rejectsMalformedStreamMessagesOfEveryKind(String json) {
    assertThrows(MalformedMessageException.class, () -> codec.decode(utf8(json)));
  }

  @Test
  void reportsTheOriginOfAnUnknownKind() {
    MalformedMessageException e =
        assertThrows(
            MalformedMessageException.class,
            () ->
                codec.decode(
                    utf8("{\"format\":1,\"kind\":\"gossip\",\"origin\":\"srv-2\",\"run\":\"r\"}")));
    assertEquals(Optional.of("srv-2"), e.origin());
  }

  @Test
  void roundTripsAStateChunk() throws Exception {
    StateChunk chunk =
        new StateChunk(
            "req-1",
            "host-9000",
            0,
            3,
            1_234_567,
            0xFEDCBA9876543210L,
            1_700_000_000_000L,
            List.of(
                new RunSequence("host-9000", "run-1", 17),
                new RunSequence("host-9001", "run-\u00e7", 1)),
            List.of(
                RecentRequest.of("req-\u00e7-1", 5, 1_699_999_999_000L),
                new RecentRequest(-1L, 0, -1, 0),
                new RecentRequest(Long.MIN_VALUE, 42, Integer.MAX_VALUE, 1_700_000_000_000L)),
            List.of(
                record("chave1", 5, 1, "valor1", 4, "valor \"4\" \u00e7\uD83D\uDE00\n"),
                record("chave2-tombstone", 3),
                record("\u00e7\u00e3o\uD83D\uDE00", 1, 1, "\u4f60\u597d\u4e16\u754c")));
    StateChunk decoded = codec.decodeChunk(codec.encodeChunk(chunk));
    assertEquals(chunk, decoded);
    assertEquals(3, decoded.keys().get(1).highestVersion());
    assertTrue(decoded.keys().get(1).versions().isEmpty());
  }

  @Test
  void roundTripsALaterChunkWithoutRuns() throws Exception {
    StateChunk chunk =
        new StateChunk(
            "req-1",
            "host-9000",
            2,
            3,
            0,
            0,
            0,
            List.of(),
            List.of(),
            List.of(record("chave9", 1, 1, "valor1")));
    assertEquals(chunk, codec.decodeChunk(codec.encodeChunk(chunk)));
  }

  private static final String CHUNK_HEAD =
      "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",";

  @Test
  void decodesAChunkWrittenByHand() throws Exception {
    String json =
        CHUNK_HEAD
            + "\"index\":1,\"total\":2,\"position\":9,\"digest\":\"8000000000000000\","
            + "\"runs\":[{\"origin\":\"a\",\"run\":\"r\",\"seq\":4}],"
            + "\"keys\":[{\"key\":\"kkk\",\"highest\":3,\"versions\":[[1,\"v1\"],[3,\"v3\"]]},"
            + "{\"key\":\"ttt\",\"highest\":2,\"versions\":[]}]}";
    assertEquals(
        new StateChunk(
            "q",
            "srv",
            1,
            2,
            9,
            Long.MIN_VALUE,
            0,
            List.of(new RunSequence("a", "r", 4)),
            List.of(),
            List.of(record("kkk", 3, 1, "v1", 3, "v3"), record("ttt", 2))),
        codec.decodeChunk(utf8(json)));
  }

  @Test
  void writesTheChunkSchemaForTimeAndRequests() {
    StateChunk chunk =
        new StateChunk(
            "q",
            "srv",
            0,
            1,
            3,
            0,
            1_700_000_000_500L,
            List.of(),
            List.of(new RecentRequest(1, -2, 7, 1_700_000_000_000L)),
            List.of());
    String json = new String(codec.encodeChunk(chunk), UTF_8);
    assertTrue(
        json.contains(
            "\"time\":1700000000500,\"runs\":[],\"requests\":[[\"0000000000000001fffffffffffffffe\",7,1700000000000]]"),
        json);
  }

  @Test
  void readsTheRequestsOfAChunkWrittenBeforeFingerprintsAndTimes() throws Exception {
    String json =
        CHUNK_HEAD
            + "\"index\":0,\"total\":1,\"position\":9,\"digest\":\"0\",\"time\":1700000000000,\"runs\":[],"
            + "\"requests\":[[\"req-a\",3],[\"req-\u00e7\",-1]],\"keys\":[]}";
    StateChunk chunk = codec.decodeChunk(utf8(json));
    assertEquals(1_700_000_000_000L, chunk.streamTime());
    assertEquals(
        List.of(
            RecentRequest.of("req-a", 3, 1_700_000_000_000L),
            RecentRequest.of("req-\u00e7", -1, 1_700_000_000_000L)),
        chunk.requests(),
        "fingerprinted, and given the chunk's stream time: a full window from now");
    // A snapshot of the previous version: no time at all, so 0 for both.
    String old =
        CHUNK_HEAD
            + "\"index\":0,\"total\":1,\"position\":9,\"digest\":\"0\",\"runs\":[],\"requests\":[[\"req-a\",3]],\"keys\":[]}";
    StateChunk legacy = codec.decodeChunk(utf8(old));
    assertEquals(0, legacy.streamTime());
    assertEquals(List.of(RecentRequest.of("req-a", 3, 0)), legacy.requests());
    StateMachine restored = StateMachine.of(StateChunk.assemble(List.of(legacy)));
    assertEquals(
        List.of(3),
        restored
            .apply(
                new ReplicationMessage(
                    "o",
                    "r",
                    1,
                    List.of(new Operation.Put("kkk", "vvv", Optional.of("req-a"))),
                    1_700_000_000_000L))
            .results(),
        "a retry of an id remembered by the previous version");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"time\":-1,\"requests\":[]",
        "\"time\":\"5\",\"requests\":[]",
        "\"time\":1.5,\"requests\":[]",
        "\"requests\":{}",
        "\"requests\":[5]",
        "\"requests\":[[]]",
        "\"requests\":[[\"req-a\"]]",
        "\"requests\":[[\"req-a\",\"3\"]]",
        "\"requests\":[[\"req-a\",1.5]]",
        "\"requests\":[[\"req-a\",4294967296]]",
        "\"requests\":[[7,3]]",
        "\"requests\":[[\"0000000000000001fffffffffffffffe\",3,-1]]",
        "\"requests\":[[\"0000000000000001fffffffffffffffe\",3,\"1\"]]",
        "\"requests\":[[\"0000000000000001fffffffffffffffe\",3,1.5]]",
        "\"requests\":[[\"0000000000000001fffffffffffffffe\",3,1,9]]",
        "\"requests\":[[\"0000000000000001fffffffffffffffx\",3,1]]",
        "\"requests\":[[\"0000000000000001fffffffffffffff\",3,1]]",
        "\"requests\":[[\"req-a\",3,1]]"
      })
  void rejectsMalformedTimesAndRequestsWithAOneLineReason(String fields) {
    String json =
        CHUNK_HEAD
            + "\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],"
            + fields
            + ",\"keys\":[]}";
    MalformedMessageException e =
        assertThrows(MalformedMessageException.class, () -> codec.decodeChunk(utf8(json)));
    assertTrue(!e.getMessage().isBlank() && !e.getMessage().contains("\n"), e.getMessage());
    assertEquals(Optional.of("srv"), e.origin());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "[]",
        // not a chunk
        "{\"format\":1,\"kind\":\"writes\",\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"format\":1,\"kind\":\"heartbeat\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[]}",
        // wrong format, missing from / request
        "{\"format\":2,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[]}",
        // index and total
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":1,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":5,\"total\":3,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":-1,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":0,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[]}",
        // position, digest
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":-1,\"digest\":\"0\",\"runs\":[],\"keys\":[]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":0,\"runs\":[],\"keys\":[]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"g\",\"runs\":[],\"keys\":[]}",
        // runs
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"keys\":[]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":{},\"keys\":[]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[{\"origin\":\"a\",\"seq\":1}],\"keys\":[]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[{\"origin\":\"a\",\"run\":\"r\",\"seq\":\"1\"}],\"keys\":[]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[{\"origin\":\"a\",\"run\":\"r\",\"seq\":-1}],\"keys\":[]}",
        // keys
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[{\"highest\":1,\"versions\":[[1,\"v\"]]}]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[{\"key\":\"k\",\"versions\":[[1,\"v\"]]}]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[{\"key\":\"k\",\"highest\":-1,\"versions\":[]}]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[{\"key\":\"k\",\"highest\":1}]}",
        // a version pair that is not [int, text]
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[{\"key\":\"k\",\"highest\":1,\"versions\":[[\"1\",\"v\"]]}]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[{\"key\":\"k\",\"highest\":1,\"versions\":[[1,2]]}]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[{\"key\":\"k\",\"highest\":1,\"versions\":[[1]]}]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[{\"key\":\"k\",\"highest\":1,\"versions\":[[1,\"v\",\"w\"]]}]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[{\"key\":\"k\",\"highest\":1,\"versions\":[{\"1\":\"v\"}]}]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[{\"key\":\"k\",\"highest\":1,\"versions\":[[1.5,\"v\"]]}]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[{\"key\":\"k\",\"highest\":1,\"versions\":{\"1\":\"v\"}}]}",
        // a version outside 1..highest
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[{\"key\":\"k\",\"highest\":1,\"versions\":[[2,\"v\"]]}]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[{\"key\":\"k\",\"highest\":0,\"versions\":[[1,\"v\"]]}]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[{\"key\":\"k\",\"highest\":5,\"versions\":[[4294967297,\"v\"]]}]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[{\"key\":\"k\",\"highest\":5,\"versions\":[[0,\"v\"]]}]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[{\"key\":\"k\",\"highest\":5,\"versions\":[[-3,\"v\"]]}]}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[{\"key\":\"k\",\"highest\":5,\"versions\":[[2,\"v\"],[2,\"w\"]]}]}",
        // a base that is not a position up to the chunk's
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":3,\"digest\":\"0\",\"runs\":[],\"keys\":[],\"base\":4,\"state\":\"0\"}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":3,\"digest\":\"0\",\"runs\":[],\"keys\":[],\"base\":-1,\"state\":\"0\"}",
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":3,\"digest\":\"0\",\"runs\":[],\"keys\":[],\"base\":\"1\"}",
        // changes without the state digest they come to
        "{\"format\":1,\"kind\":\"state-chunk\",\"request\":\"q\",\"from\":\"srv\",\"index\":0,\"total\":1,\"position\":3,\"digest\":\"0\",\"runs\":[],\"keys\":[],\"base\":1}"
      })
  void rejectsMalformedChunksWhole(String json) {
    assertThrows(MalformedMessageException.class, () -> codec.decodeChunk(utf8(json)));
  }

  @Test
  void reportsTheSenderOfAMalformedChunk() {
    MalformedMessageException e =
        assertThrows(
            MalformedMessageException.class,
            () ->
                codec.decodeChunk(
                    utf8(
                        CHUNK_HEAD
                            + "\"index\":3,\"total\":1,\"position\":0,\"digest\":\"0\",\"runs\":[],\"keys\":[]}")));
    assertEquals(Optional.of("srv"), e.origin());
  }
}
