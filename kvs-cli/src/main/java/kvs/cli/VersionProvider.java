package kvs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * Answers {@code --version} with the program's name and the version Maven wrote into {@code
 * version.properties}. picocli makes version providers itself, so each program names itself in a
 * subclass with a no-argument constructor.
 */
public abstract class VersionProvider implements IVersionProvider {
  private final String program;

  protected VersionProvider(String program) {
    this.program = program;
  }

  /** The version of these programs, such as {@code 0.1.0-SNAPSHOT}. */
  public static String version() {
    Properties properties = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("version", "(unknown version)");
  }

  @Override
  public String[] getVersion() {
    return new String[] {program + " " + version()};
  }
}
