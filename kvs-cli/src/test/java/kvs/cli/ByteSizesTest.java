package kvs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ByteSizesTest {

  @Test
  void bytesAndBinaryUnitsInAnyCase() {
    assertEquals(4096, ByteSizes.parse("4096"));
    assertEquals(512, ByteSizes.parse("512B"));
    assertEquals(4096, ByteSizes.parse("4KiB"));
    assertEquals(4096, ByteSizes.parse("4k"));
    assertEquals(4096, ByteSizes.parse("4 KB"));
    assertEquals(1024 * 1024, ByteSizes.parse("1MiB"));
    assertEquals(3 * 1024 * 1024, ByteSizes.parse("3m"));
  }

  @Test
  void anythingElseSaysWhatToWrite() {
    for (String bad : new String[] {"", "-1", "1.5MiB", "4GiB", "lots"}) {
      TypeConversionException e =
          assertThrows(TypeConversionException.class, () -> ByteSizes.parse(bad), bad);
      assertEquals(
          "'" + bad + "' is not a size; use for example 4096, 64KiB or 1MiB", e.getMessage());
    }
    assertEquals(
        "'0' is not a size from 1 byte to 2 GiB - 1",
        assertThrows(TypeConversionException.class, () -> ByteSizes.parse("0")).getMessage());
    assertEquals(
        "'4096m' is not a size from 1 byte to 2 GiB - 1",
        assertThrows(TypeConversionException.class, () -> ByteSizes.parse("4096m")).getMessage());
  }
}
