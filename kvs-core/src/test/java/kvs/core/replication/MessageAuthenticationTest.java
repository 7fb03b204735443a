package kvs.core.replication;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import kvs.core.replication.MessageAuthentication.Accepted;
import kvs.core.replication.MessageAuthentication.Opened;
import kvs.core.replication.MessageAuthentication.Rejected;
import org.junit.jupiter.api.Test;

class MessageAuthenticationTest {
  private static final String KEY_A = "a".repeat(64);
  private static final String KEY_B = "b".repeat(32);
  private static final String TOPIC = "kvs/replication";
  private static final byte[] MESSAGE =
      "{\"origin\":\"s1\",\"run\":\"r\",\"seq\":1,\"ops\":[]}".getBytes(StandardCharsets.UTF_8);

  private static MessageAuthentication keys(String file) {
    return MessageAuthentication.fromKeyFile(file);
  }

  private static byte[] accepted(Opened opened) {
    return assertInstanceOf(Accepted.class, opened).message();
  }

  private static String rejected(Opened opened) {
    return assertInstanceOf(Rejected.class, opened).reason();
  }

  @Test
  void aSealedMessageOpensToItsExactBytes() {
    MessageAuthentication auth = keys(KEY_A + "\n");
    byte[] sealed = auth.seal(TOPIC, MESSAGE);
    assertTrue(new String(sealed, StandardCharsets.US_ASCII).startsWith("HMAC-SHA256 "));
    assertArrayEquals(MESSAGE, accepted(auth.open(TOPIC, sealed)));
  }

  @Test
  void anyChangedByteIsRejected() {
    MessageAuthentication auth = keys(KEY_A);
    byte[] sealed = auth.seal(TOPIC, MESSAGE);
    int macStart = "HMAC-SHA256 ".length();
    int newline = macStart + 64;
    for (int i = 0; i < sealed.length; i++) {
      byte[] changed = sealed.clone();
      changed[i] ^= 1;
      String expected = i < macStart || i == newline ? "unsigned" : "bad signature";
      assertEquals(expected, rejected(auth.open(TOPIC, changed)), "byte " + i);
    }
  }

  @Test
  void aMessageMovedToAnotherTopicIsABadSignature() {
    MessageAuthentication auth = keys(KEY_A);
    byte[] sealed = auth.seal(TOPIC + "/state/s2", MESSAGE);
    assertEquals("bad signature", rejected(auth.open(TOPIC + "/state/s3", sealed)));
    assertEquals("bad signature", rejected(auth.open(TOPIC, sealed)));
  }

  @Test
  void aMessageSealedWithAnotherKeyIsABadSignature() {
    byte[] sealed = keys(KEY_B).seal(TOPIC, MESSAGE);
    assertEquals("bad signature", rejected(keys(KEY_A).open(TOPIC, sealed)));
  }

  @Test
  void unsignedMessagesAreRejectedByAServerWithAKey() {
    assertEquals("unsigned", rejected(keys(KEY_A).open(TOPIC, MESSAGE)));
    assertEquals("unsigned", rejected(keys(KEY_A).open(TOPIC, new byte[0])));
    byte[] truncated = "HMAC-SHA256 00".getBytes(StandardCharsets.US_ASCII);
    assertEquals("unsigned", rejected(keys(KEY_A).open(TOPIC, truncated)));
  }

  @Test
  void aMacThatIsNotHexIsABadSignature() {
    byte[] sealed = keys(KEY_A).seal(TOPIC, MESSAGE);
    sealed[20] = 'z';
    assertEquals("bad signature", rejected(keys(KEY_A).open(TOPIC, sealed)));
  }

  @Test
  void withoutKeysMessagesGoAsTheyAreAndSealedOnesAreRefused() {
    MessageAuthentication none = MessageAuthentication.NONE;
    assertFalse(none.enabled());
    assertArrayEquals(MESSAGE, none.seal(TOPIC, MESSAGE));
    assertArrayEquals(MESSAGE, accepted(none.open(TOPIC, MESSAGE)));
    assertEquals(
        "signed, and this server has no cluster key",
        rejected(none.open(TOPIC, keys(KEY_A).seal(TOPIC, MESSAGE))));
  }

  @Test
  void aKeyIsRolledByAddingTheNewOneThenSealingWithIt() {
    MessageAuthentication old = keys(KEY_A);
    MessageAuthentication both = keys(KEY_A + "\n" + KEY_B + "\n");
    MessageAuthentication rolled = keys(KEY_B + "\n" + KEY_A);
    MessageAuthentication done = keys(KEY_B);
    // Each step's servers read what the previous and the next step's servers seal.
    assertArrayEquals(MESSAGE, accepted(both.open(TOPIC, old.seal(TOPIC, MESSAGE))));
    assertArrayEquals(MESSAGE, accepted(both.open(TOPIC, rolled.seal(TOPIC, MESSAGE))));
    assertArrayEquals(MESSAGE, accepted(rolled.open(TOPIC, both.seal(TOPIC, MESSAGE))));
    assertArrayEquals(MESSAGE, accepted(done.open(TOPIC, rolled.seal(TOPIC, MESSAGE))));
    assertEquals(2, both.keyCount());
  }

  @Test
  void aKeyFileNeedsKeysOfAtLeast32BytesAndSaysWhichLineIsShort() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> keys(KEY_A + "\n\nshort-secret\n"));
    assertEquals(
        "line 3 holds a key of 12 bytes; a key needs at least 32 (for example: openssl rand -hex"
            + " 32)",
        e.getMessage());
    assertFalse(e.getMessage().contains(KEY_A));
    assertEquals(
        "it holds no key (one per line)",
        assertThrows(IllegalArgumentException.class, () -> keys(" \n\r\n")).getMessage());
  }

  @Test
  void keyFileLinesAreTrimmedAndWindowsLineEndsAccepted() {
    byte[] sealed = keys(KEY_A).seal(TOPIC, MESSAGE);
    assertArrayEquals(MESSAGE, accepted(keys("  " + KEY_A + "  \r\n").open(TOPIC, sealed)));
  }

  @Test
  void itNeverShowsItsKeys() {
    assertEquals("2 cluster key(s)", keys(KEY_A + "\n" + KEY_B).toString());
    assertThrows(IllegalArgumentException.class, () -> MessageAuthentication.withKeys(List.of()));
  }
}
