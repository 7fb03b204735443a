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
import java.util.Map;
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
  private final List<String> security;
  private Process process;

  private MosquittoBroker(Path binary, int port, Path dir, List<String> security) {
    this.binary = binary;
    this.port = port;
    this.dir = dir;
    this.security = security;
  }

  /** Starts a broker on a free port, open to anyone, and waits until it accepts connections. */
  public static MosquittoBroker start() {
    try {
      return start(Files.createTempDirectory("kvs-mosquitto"), List.of("allow_anonymous true"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a broker that speaks TLS only (with {@code certs}' server certificate), lets in only
   * {@code users} (name to password), and gives them what {@code acl} (the text of a Mosquitto
   * {@code acl_file}) allows. Its {@link #uri()} is {@code ssl://127.0.0.1:PORT}.
   */
  public static MosquittoBroker startSecured(
      DevCertificates certs, Map<String, String> users, String acl) {
    try {
      Path dir = Files.createTempDirectory("kvs-mosquitto");
      Path passwords = dir.resolve("passwd");
      for (Map.Entry<String, String> user : users.entrySet()) {
        run(
            "mosquitto_passwd",
            "-b",
            Files.exists(passwords) ? null : "-c",
            passwords.toString(),
            user.getKey(),
            user.getValue());
      }
      Path aclFile = dir.resolve("acl");
      Files.writeString(aclFile, acl);
      return start(
          dir,
          List.of(
              // Started as root, Mosquitto would become user mosquitto after reading this file,
              // and could then not read the private files below; as another user this is a no-op.
              "user root",
              "allow_anonymous false",
              "password_file " + passwords,
              "acl_file " + aclFile,
              "certfile " + certs.serverCertificate(),
              "keyfile " + certs.serverKey(),
              "cafile " + certs.ca()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static MosquittoBroker start(Path dir, List<String> security) throws IOException {
    MosquittoBroker broker = new MosquittoBroker(findBinary(), freePort(), dir, security);
    broker.startProcess();
    return broker;
  }

  private static void run(String... command) throws IOException {
    List<String> args = java.util.Arrays.stream(command).filter(a -> a != null).toList();
    Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException(args.get(0) + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  public int port() {
    return port;
  }

  /**
   * {@code tcp://127.0.0.1:PORT}, or {@code ssl://} for a {@linkplain #startSecured secured} one.
   */
  public String uri() {
    return (security.stream().anyMatch(line -> line.startsWith("certfile ")) ? "ssl" : "tcp")
        + "://127.0.0.1:"
        + port;
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
    List<String> lines = new java.util.ArrayList<>();
    lines.add("listener " + port + " 127.0.0.1");
    lines.addAll(security);
    lines.add("persistence false");
    lines.add("log_dest stderr");
    Files.write(config, lines);
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
