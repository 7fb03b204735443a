package kvs.core.replication;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

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
        "{\"format\":1,\"origin\":\"host-9000\",\"run\":\"r1\",\"seq\":7,\"ops\":["
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
        "{\"format\":1,\"origin\":\"o\",\"run\":\"r\",\"seq\":1,\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}, 3]}"
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
}
