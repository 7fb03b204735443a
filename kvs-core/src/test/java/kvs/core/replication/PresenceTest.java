package kvs.core.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A server's presence on the broker, as JSON: what it writes it reads back; anything else is
 * refused in one line.
 */
class PresenceTest {

  @Test
  void roundTrips() throws Exception {
    Presence presence = new Presence("vm-9000", "5b0d-run", 9000);
    assertEquals(presence, Presence.decode(presence.encode()));
    Presence inProcess = new Presence("in-process", "r", 0);
    assertEquals(inProcess, Presence.decode(inProcess.encode()));
  }

  @Test
  void readsTheDocumentedForm() throws Exception {
    assertEquals(
        new Presence("vm-9000", "5b0d", 9000),
        Presence.decode(
            json("{'format':1,'kind':'presence','origin':'vm-9000','run':'5b0d','port':9000}")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "not json at all",
        "{'format':1,'kind':'presence','origin':'a',",
        "",
        "[1,2]",
        "'text'",
        "{'format':1,'kind':'heartbeat','origin':'a','run':'r','port':1}",
        "{'format':2,'kind':'presence','origin':'a','run':'r','port':1}",
        "{'kind':'presence','origin':'a','run':'r','port':1}",
        "{'format':1,'kind':'presence','origin':'a','port':1}",
        "{'format':1,'kind':'presence','origin':'a','run':7,'port':1}",
        "{'format':1,'kind':'presence','run':'r','port':1}",
        "{'format':1,'kind':'presence','origin':'a','run':'r'}",
        "{'format':1,'kind':'presence','origin':'a','run':'r','port':65536}",
        "{'format':1,'kind':'presence','origin':'a','run':'r','port':-1}",
        "{'format':1,'kind':'presence','origin':'a','run':'r','port':1.5}",
        "{'format':1,'kind':'presence','origin':'a','run':'r','port':'9000'}",
      })
  void malformedInputIsRefusedWithAOneLineMessage(String input) {
    MalformedMessageException refused =
        assertThrows(MalformedMessageException.class, () -> Presence.decode(json(input)));
    String message = refused.getMessage();
    assertFalse(message == null || message.isBlank(), "a message for " + input);
    assertFalse(
        message.contains("\n") || message.contains("\r"),
        "one line for " + input + ", got:\n" + message);
  }

  @Test
  void aRefusalNamesTheOriginWhenItGotThatFar() {
    MalformedMessageException refused =
        assertThrows(
            MalformedMessageException.class,
            () ->
                Presence.decode(
                    json("{'format':1,'kind':'presence','origin':'vm-1','run':'r','port':70000}")));
    assertEquals(Optional.of("vm-1"), refused.origin());
    assertTrue(refused.getMessage().contains("port"), refused.getMessage());
  }

  @Test
  void aPresenceCannotBeMadeWithAPortOutOfRange() {
    assertThrows(IllegalArgumentException.class, () -> new Presence("a", "r", 65536));
    assertThrows(IllegalArgumentException.class, () -> new Presence("a", "r", -1));
  }

  private static byte[] json(String singleQuoted) {
    return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }
}
