package kvs.server.testing;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import kvs.proto.KVSGrpc;
import kvs.proto.admin.KvsAdminGrpc;
import kvs.proto.admin.StatusReply;
import kvs.proto.admin.StatusRequest;
import kvs.testing.Eventually;
import kvs.testing.MosquittoBroker;

/**
 * A real server process (the jar kvs-server packaged) on a fixed port, for fault tests: it can be
 * killed with SIGKILL and started again with the same id, port and data.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Path JAR = Path.of("..", "kvs-server", "target", "kvs-server.jar");

  private final int port;
  private final List<String> args;
  private final Path log;
  private Process process;
  private ManagedChannel channel;

  private ServerProcess(int port, List<String> args, Path log) {
    this.port = port;
    this.args = args;
    this.log = log;
  }

  /**
   * Starts {@code kvs-server PORT --broker ... --topic ... --id ID EXTRA...}; does not wait. Short
   * sync, heartbeat and write timeouts unless {@code extra} sets them (each option is given once).
   */
  public static ServerProcess start(String id, String brokerUri, String topic, String... extra) {
    List<String> args =
        new ArrayList<>(List.of("--broker", brokerUri, "--topic", topic, "--id", id));
    List<String> given = List.of(extra);
    List<String> defaults =
        List.of("--sync-timeout", "1s", "--heartbeat", "200ms", "--write-timeout", "2s");
    for (int i = 0; i < defaults.size(); i += 2) {
      if (!given.contains(defaults.get(i))) {
        args.addAll(defaults.subList(i, i + 2));
      }
    }
    args.addAll(given);
    try {
      ServerProcess server =
          new ServerProcess(
              MosquittoBroker.freePort(), args, Files.createTempFile("kvs-" + id + "-", ".log"));
      server.launch();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code java -jar ../kvs-server/target/kvs-server.jar ARGS...}, with this JVM's java. */
  public static List<String> command(List<String> args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-jar",
                JAR.toString()));
    command.addAll(args);
    return command;
  }

  private void launch() throws IOException {
    List<String> command = new ArrayList<>(List.of(String.valueOf(port)));
    command.addAll(args);
    process =
        new ProcessBuilder(command(command))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    channel =
        Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create())
            .build();
  }

  public int port() {
    return port;
  }

  /** Waits until the server answers Status, is connected to the broker and has caught up. */
  public ServerProcess awaitServing(Duration timeout) {
    Eventually.await(
        timeout,
        "server on port " + port + " serving (log " + log + ")",
        () -> {
          if (!process.isAlive()) {
            throw new AssertionError("server on port " + port + " exited; log:\n" + logText());
          }
          try {
            StatusReply status = status();
            return status.getCaughtUp() && status.getBrokerConnected();
          } catch (StatusRuntimeException e) {
            return false;
          }
        });
    return this;
  }

  public StatusReply status() {
    return KvsAdminGrpc.newBlockingStub(channel)
        .withDeadlineAfter(2, TimeUnit.SECONDS)
        .status(StatusRequest.getDefaultInstance());
  }

  public KVSGrpc.KVSBlockingStub kvs() {
    return KVSGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  /** An asynchronous stub on this server's channel, without a deadline (set one per call). */
  public KVSGrpc.KVSFutureStub kvsFuture() {
    return KVSGrpc.newFutureStub(channel);
  }

  /** The process id of the running server. */
  public long pid() {
    return process.pid();
  }

  /** SIGSTOP: the process stays, its sockets open, but it runs nothing until {@link #resume}. */
  public void suspend() {
    signal("-STOP");
  }

  /** SIGCONT after {@link #suspend}. */
  public void resume() {
    signal("-CONT");
  }

  private void signal(String signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", signal, String.valueOf(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted sending " + signal, e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown hook, no goodbye to the broker. */
  public void kill() {
    process.destroyForcibly();
    waitForExit();
  }

  /** Starts the same server again: same id, port, options and data directory. */
  public ServerProcess restart() {
    if (process.isAlive()) {
      kill();
    }
    channel.shutdownNow();
    try {
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Waits for the server to exit by itself; its exit code. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("still running after " + timeout + "; log:\n" + logText());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    return process.exitValue();
  }

  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** Stops the server (SIGTERM) and removes its log. */
  @Override
  public void close() {
    process.destroy();
    waitForExit();
    channel.shutdownNow();
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // Only a temporary file left behind.
    }
  }

  private void waitForExit() {
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
