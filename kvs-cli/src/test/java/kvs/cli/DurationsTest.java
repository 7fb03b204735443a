package kvs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({
    "500ms, PT0.5S",
    "5, PT5S",
    "5s, PT5S",
    "1.5s, PT1.5S",
    "0.25, PT0.25S",
    "2m, PT2M",
    "1h, PT1H",
    "10S, PT10S",
    "PT10S, PT10S",
    "pt1m30s, PT1M30S",
    "' 3s ', PT3S",
    "0, PT0S"
  })
  void readsOneGrammarForEveryCommandLine(String text, String expected) {
    assertEquals(Duration.parse(expected), Durations.parse(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "soon", "5 s", "-1s", "1.s", "s", "5d", "P1D2"})
  void whatIsNotADurationSaysHowToWriteOne(String text) {
    TypeConversionException e =
        assertThrows(TypeConversionException.class, () -> Durations.parse(text));
    assertTrue(e.getMessage().contains("use for example 500ms, 1.5s, 2m or PT10S"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "0s", "PT0S", "PT-1S"})
  void aPositiveDurationIsMoreThanZero(String text) {
    assertThrows(TypeConversionException.class, () -> new Durations.Positive().convert(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "0ms", "PT0S"})
  void aNonNegativeDurationMayBeZero(String text) {
    assertEquals(Duration.ZERO, new Durations.NonNegative().convert(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"PT-1S", "-PT1S"})
  void butNotNegative(String text) {
    assertThrows(TypeConversionException.class, () -> new Durations.NonNegative().convert(text));
  }
}
