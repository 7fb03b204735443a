package kvs.core.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SizeLimitsTest {
  private static final SizeLimits LIMITS = new SizeLimits(16, 100, 2048);

  private static Operation put(String key, String value) {
    return new Operation.Put(key, value, Optional.empty());
  }

  @Test
  void writesWithinTheLimitsPass() {
    assertEquals(Optional.empty(), LIMITS.refusal(put("k".repeat(16), "v".repeat(100))));
    assertEquals(
        Optional.empty(),
        LIMITS.refusal(new Operation.Remove("k".repeat(16), 0, Optional.empty())));
  }

  @Test
  void eachLimitHasItsReason() {
    assertEquals(
        Optional.of("KEY_TOO_LARGE: the key has 17 bytes, over the limit of 16 (--max-key-size)"),
        LIMITS.refusal(new Operation.Remove("k".repeat(17), 0, Optional.empty())));
    assertEquals(
        Optional.of(
            "VALUE_TOO_LARGE: the value has 102 bytes, over the limit of 100 (--max-value-size)"),
        LIMITS.refusal(put("key", "é".repeat(51))));
    // 100 control characters are 100 bytes, but 600 as JSON: with a 64-byte request id and a
    // message limit barely above key + value, the message would not fit.
    SizeLimits tight = new SizeLimits(16, 100, 16 + 100 + 64 + SizeLimits.MESSAGE_OVERHEAD);
    Optional<String> escaped =
        tight.refusal(new Operation.Put("key", "\u0001".repeat(100), Optional.of("r".repeat(64))));
    assertTrue(escaped.orElseThrow().startsWith("MESSAGE_TOO_LARGE: "), escaped.toString());
  }

  @Test
  void theMessageLimitMustHoldTheLargestWrite() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new SizeLimits(16, 100, 1000));
    assertEquals(
        "the message limit (1000 bytes) must hold the largest key and value and 1088 bytes more:"
            + " at least 1204",
        e.getMessage());
  }

  @Test
  void anOperationsSizeBoundsItsEncodedJson() {
    MessageCodec codec = new MessageCodec();
    for (String value :
        List.of("plain", "é😀 ação", "quote\" back\\slash", "\u0000\u0001\n\t", "x".repeat(5000))) {
      Operation op = new Operation.Put("chave", value, Optional.of("req-1#0"));
      Operation base = new Operation.Remove("abc", 0, Optional.empty());
      int one = codec.encode(new ReplicationMessage("origin", "run", 1, List.of(base), 1L)).length;
      int two =
          codec.encode(new ReplicationMessage("origin", "run", 1, List.of(base, op), 1L)).length;
      assertTrue(
          SizeLimits.encodedSize(op) >= two - one,
          value + ": " + SizeLimits.encodedSize(op) + " < " + (two - one));
      assertTrue(one < SizeLimits.MESSAGE_OVERHEAD);
    }
    assertEquals("é😀".getBytes(StandardCharsets.UTF_8).length, SizeLimits.utf8Length("é😀"));
  }
}
