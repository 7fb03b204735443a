package kvs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Development certificates for TLS tests, made by the {@code scripts/dev-certs.sh} of the KVS
 * source tree (found from the working directory upwards): a CA, a server certificate for localhost
 * and 127.0.0.1, and a client certificate, all PEM.
 *
 * @param dir where the files are
 */
public record DevCertificates(Path dir) {

  /** Makes a fresh set in a new temporary directory. */
  public static DevCertificates make() {
    try {
      Path dir = Files.createTempDirectory("kvs-certs");
      Process script =
          new ProcessBuilder("bash", findScript().toString(), dir.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("dev-certs.log").toFile())
              .start();
      if (!script.waitFor(60, TimeUnit.SECONDS) || script.exitValue() != 0) {
        throw new IllegalStateException(
            "scripts/dev-certs.sh failed: " + Files.readString(dir.resolve("dev-certs.log")));
      }
      return new DevCertificates(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while making certificates", e);
    }
  }

  public Path ca() {
    return dir.resolve("ca.pem");
  }

  public Path serverCertificate() {
    return dir.resolve("server.pem");
  }

  public Path serverKey() {
    return dir.resolve("server.key");
  }

  public Path clientCertificate() {
    return dir.resolve("client.pem");
  }

  public Path clientKey() {
    return dir.resolve("client.key");
  }

  private static Path findScript() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path script = dir.resolve("scripts").resolve("dev-certs.sh");
      if (Files.isRegularFile(script)) {
        return script;
      }
    }
    throw new IllegalStateException(
        "scripts/dev-certs.sh not found above " + Path.of("").toAbsolutePath());
  }
}
