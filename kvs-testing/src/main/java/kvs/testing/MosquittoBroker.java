package kvs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto process on a free loopback port with its own config, for tests. Stop and start
 * it again on the same port to simulate a broker outage. Without a mosquitto binary the test fails
 * with a hint; it is never skipped.
 */
public final class MosquittoBroker implements AutoCloseable {
  private static final List<Path> CANDIDATES =
      List.of(
          Path.of("/usr/sbin/mosquitto"),
          Path.of("/usr/local/sbin/mosquitto"),
          Path.of("/usr/bin/mosquitto"));

  private final Path binary;
  private final int port;
  private final Path dir;
  private Process process;

  private MosquittoBroker(Path binary, int port, Path dir) {
    this.binary = binary;
    this.port = port;
    this.dir = dir;
  }

  /** Starts a broker on a free port and waits until it accepts connections. */
  public static MosquittoBroker start() {
    try {
      MosquittoBroker broker =
          new MosquittoBroker(findBinary(), freePort(), Files.createTempDirectory("kvs-mosquitto"));
      broker.startProcess();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  /** {@code tcp://127.0.0.1:PORT}. */
  public String uri() {
    return "tcp://127.0.0.1:" + port;
  }

  /** Kills the broker (it loses every session and queued message, like a crash). */
  public void stop() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  /** Starts the broker again on the same port. */
  public void restart() {
    stop();
    try {
      startProcess();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills the broker and removes its config and log. */
  @Override
  public void close() {
    stop();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // Only a temporary directory left behind.
    }
  }

  private void startProcess() throws IOException {
    Path config = dir.resolve("mosquitto.conf");
    Files.writeString(
        config,
        String.join(
            "\n",
            "listener " + port + " 127.0.0.1",
            "allow_anonymous true",
            "persistence false",
            "log_dest stderr",
            ""));
    process =
        new ProcessBuilder(binary.toString(), "-c", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("mosquitto.log").toFile())
            .start();
    Eventually.await(Duration.ofSeconds(10), "mosquitto listening on port " + port, this::accepts);
  }

  private boolean accepts() {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "mosquitto exited with " + process.exitValue() + "; see " + dir.resolve("mosquitto.log"));
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Path findBinary() {
    for (Path candidate : CANDIDATES) {
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "No mosquitto binary found (looked in "
            + CANDIDATES
            + "). Run ./compile.sh, which installs"
            + " it (Debian: apt-get install mosquitto).");
  }

  /** A port that was free a moment ago. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
