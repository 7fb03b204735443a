package kvs.client.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Values given as files ({@code --value-file FILE}, {@code -} for standard input): a value too
 * large for the command line (the kernel refuses arguments past a few hundred KB) can still be
 * written. A file's value is its content exactly, as UTF-8.
 */
final class ValueFiles {
  /** What was wrong with one of the files, in one line. */
  static final class BadValueFile extends Exception {
    BadValueFile(String message) {
      super(message);
    }
  }

  private ValueFiles() {}

  /**
   * The values of {@code names}, in order; {@code -} (at most once) reads {@code stdin} to its end.
   */
  static List<String> read(List<String> names, InputStream stdin) throws BadValueFile {
    if (names.stream().filter("-"::equals).count() > 1) {
      throw new BadValueFile("--value-file - (standard input) can be given only once");
    }
    List<String> values = new ArrayList<>(names.size());
    for (String name : names) {
      byte[] bytes;
      try {
        bytes = name.equals("-") ? stdin.readAllBytes() : Files.readAllBytes(Path.of(name));
      } catch (NoSuchFileException e) {
        throw new BadValueFile("--value-file " + name + ": no such file");
      } catch (IOException | UncheckedIOException e) {
        throw new BadValueFile(
            "--value-file " + name + ": cannot read it (" + e.getMessage() + ")");
      }
      values.add(utf8(name, bytes));
    }
    return values;
  }

  private static String utf8(String name, byte[] bytes) throws BadValueFile {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new BadValueFile("--value-file " + name + ": not UTF-8 text");
    }
  }
}
