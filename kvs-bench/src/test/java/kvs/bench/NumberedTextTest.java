package kvs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NumberedTextTest {

  @Test
  void aPrefixAndZeroPaddedDigitsOfTheExactLength() {
    NumberedText keys = new NumberedText("bench-", 16);
    assertEquals("bench-0000000000", keys.text(0));
    assertEquals("bench-0000000042", keys.text(42));
    assertEquals(10_000_000_000L, keys.capacity());
  }

  @Test
  void shortTextsDropThePrefixAndWrapAround() {
    NumberedText keys = new NumberedText("bench-", 3);
    assertEquals("007", keys.text(7));
    assertEquals("000", keys.text(1000));
    assertEquals(1000, keys.capacity());
  }

  @Test
  void longTextsAreZeroFilledBeyondEighteenDigits() {
    NumberedText values = new NumberedText("v", 40);
    String text = values.text(123);
    assertEquals(40, text.length());
    assertEquals("v" + "0".repeat(36) + "123", text);
  }

  @Test
  void aKeySpaceCyclesOverItsKeysOrGivesEachRequestItsOwn() {
    NumberedText format = new NumberedText("bench-", 16);
    assertEquals("bench-0000000005", new KeySpace(format, 0).key(5));
    assertEquals("bench-0000000002", new KeySpace(format, 3).key(5));
    assertEquals("bench-0000000000", new KeySpace(format, 1).key(5));
  }
}
