package kvs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads files that hold secrets (cluster keys, passwords, private keys), warning as ssh does when
 * others may read them too. Messages name the file, never what is in it.
 */
public final class SecretFiles {
  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE);

  private SecretFiles() {}

  /**
   * The file's text (UTF-8); hands {@code warn} one line if its group or others may read or write
   * it.
   *
   * @throws IOException with a one-line reason when it cannot be read
   */
  public static String read(Path file, Consumer<String> warn) throws IOException {
    checkPermissions(file, warn);
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IOException("no such file");
    } catch (IOException e) {
      throw new IOException("cannot read it (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Hands {@code warn} one line if the file's group or others may read or write it. */
  public static void checkPermissions(Path file, Consumer<String> warn) {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      permissions.retainAll(OTHERS);
      if (!permissions.isEmpty()) {
        warn.accept(
            file
                + " holds a secret but its group or others may read or write it; make it private:"
                + " chmod 600 "
                + file);
      }
    } catch (UnsupportedOperationException | IOException e) {
      // Not a POSIX file system, or the file is missing (reading it says so).
    }
  }
}
