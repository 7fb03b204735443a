package kvs.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import kvs.client.KeyValue;
import kvs.client.KvsClient;
import kvs.client.PutResult;
import kvs.testing.MosquittoBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * KVS as a user's script runs it: servers launched with {@code server.sh} and called through {@code
 * client.sh} the moment their ports answer, with no sleep and no readiness polling. A server that
 * is still catching up holds such calls until it has; none may fail.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ScriptedStartIT {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Duration PORT_DEADLINE = Duration.ofSeconds(60);

  @TempDir Path logs;
  private final String topic = "kvs-scripted/" + UUID.randomUUID();
  private final List<Process> processes = new ArrayList<>();
  private MosquittoBroker broker;

  @AfterEach
  void stopAll() {
    processes.forEach(Process::destroyForcibly);
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void threeServersLaunchedInTheSameSecondAnswerTheirFirstWritesAsSoonAsTheirPortsOpen()
      throws Exception {
    broker = MosquittoBroker.start();
    int[] ports = freePorts(3);
    for (int i = 0; i < 3; i++) {
      server(ports[i], "s" + i);
    }
    List<CompletableFuture<String>> firstWrites = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int port = ports[i];
      String key = "chave" + i;
      firstWrites.add(
          CompletableFuture.supplyAsync(
              () -> {
                long open = awaitPortOpen(port);
                Result write =
                    client("-p", port, "-o", "insere", "-k", key, "-v", "valor1", "--json");
                long answered = System.nanoTime();
                assertEquals(0, write.exit(), "first write on " + port + ": " + write);
                assertEquals("{\"key\":\"" + key + "\",\"version\":1}", write.out().strip());
                return "port "
                    + port
                    + ": first write answered "
                    + TimeUnit.NANOSECONDS.toMillis(answered - open)
                    + " ms after the port opened";
              }));
    }
    for (CompletableFuture<String> write : firstWrites) {
      System.out.println("ScriptedStartIT: " + write.get(120, TimeUnit.SECONDS));
    }
    // Every server applied every write: each reads the others' (polling only for replication).
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        assertEquals(
            "{\"key\":\"chave" + j + "\",\"value\":\"valor1\",\"version\":1}",
            eventually(ports[i], "chave" + j, "\"version\":1"));
      }
    }
  }

  @Test
  void theCourseScenarioPassesOnServersCalledTheMomentTheirPortsOpen() throws Exception {
    int[] ports = freePorts(4);
    ProcessBuilder teste =
        new ProcessBuilder(ROOT.resolve("teste.sh").toString())
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve("teste.log").toFile());
    teste
        .environment()
        .putAll(
            Map.of(
                "KVS_TESTE_BROKER_PORT",
                String.valueOf(ports[0]),
                "KVS_TESTE_PORTS",
                ports[1] + " " + ports[2] + " " + ports[3],
                "KVS_TESTE_SKIP_BUILD",
                "1"));
    Process run = teste.start();
    processes.add(run);
    assertTrue(run.waitFor(180, TimeUnit.SECONDS), "teste.sh ended within 180 s");
    String output = Files.readString(logs.resolve("teste.log"));
    System.out.println(output);
    assertEquals(0, run.exitValue(), output);
    assertTrue(output.contains(" 0 failed"), output);
  }

  @Test
  void aJoinerAndAKilledServerRestartedAtOnceHoldCallsInsteadOfRefusingThem() throws Exception {
    broker = MosquittoBroker.start();
    int[] ports = freePorts(3);
    server(ports[0], "a");
    server(ports[1], "b");
    awaitPortOpen(ports[0]);
    awaitPortOpen(ports[1]);
    int keys = 100_000;
    try (KvsClient kvs =
        KvsClient.builder()
            .targets("127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1])
            .deadline(
                Duration.ofSeconds(
                    90)) // loading 100,000 keys into cold servers; not what is tested
            .build()) {
      Iterable<KeyValue> items =
          () ->
              IntStream.range(0, keys)
                  .mapToObj(i -> KeyValue.of("key" + i, "value" + i))
                  .iterator();
      try (Stream<PutResult> results = kvs.putAll(items)) {
        assertEquals(keys, results.filter(PutResult::stored).count(), "every key stored");
      }
    }

    Path joinerLog = server(ports[2], "joiner");
    long open = awaitPortOpen(ports[2]);
    Result read = client("-p", ports[2], "-o", "consulta", "-k", "key" + (keys - 1), "--json");
    long answered = System.nanoTime();
    assertEquals(0, read.exit(), "the joiner's first read: " + read);
    assertEquals(
        "{\"key\":\"key99999\",\"value\":\"value99999\",\"version\":1}", read.out().strip());
    System.out.println(
        "ScriptedStartIT: joiner into "
            + keys
            + " keys answered "
            + TimeUnit.NANOSECONDS.toMillis(answered - open)
            + " ms after its port opened; "
            + caughtUpLine(joinerLog));

    Process victim = processes.get(1); // b: exec'd java, so this is SIGKILL to the server itself
    victim.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    Path restartedLog = server(ports[1], "b");
    awaitPortOpen(ports[1]);
    Result write =
        client("-p", ports[1], "-o", "insere", "-k", "key0", "-v", "after-restart", "--json");
    assertEquals(0, write.exit(), "the restarted server's first write: " + write);
    assertEquals("{\"key\":\"key0\",\"version\":2}", write.out().strip());
    Result snapshotCount =
        client("-p", ports[1], "-o", "consulta", "-k", "key0", "-e", "1", "--json");
    assertEquals(0, snapshotCount.exit(), snapshotCount.toString());
    System.out.println("ScriptedStartIT: restarted after SIGKILL; " + caughtUpLine(restartedLog));
  }

  private Path server(int port, String id) throws IOException {
    Path log = logs.resolve("server-" + id + "-" + port + "-" + processes.size() + ".log");
    Process server =
        new ProcessBuilder(
                ROOT.resolve("server.sh").toString(),
                String.valueOf(port),
                "--broker",
                broker.uri(),
                "--topic",
                topic,
                "--id",
                id)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    processes.add(server);
    return log;
  }

  private record Result(int exit, String out, String err) {}

  private static Result client(Object... args) {
    List<String> command = new ArrayList<>();
    command.add(ROOT.resolve("client.sh").toString());
    for (Object arg : args) {
      command.add(String.valueOf(arg));
    }
    try {
      Process client = new ProcessBuilder(command).start();
      CompletableFuture<String> err =
          CompletableFuture.supplyAsync(() -> read(client.getErrorStream()));
      String out = read(client.getInputStream());
      assertTrue(client.waitFor(60, TimeUnit.SECONDS), "client.sh ended: " + command);
      return new Result(client.exitValue(), out, err.join());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A read on another server than the write's, repeated until replication brought it (10 s). */
  private static String eventually(int port, String key, String expected) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      Result read = client("-p", port, "-o", "consulta", "-k", key, "--json");
      if (read.exit() == 0 && read.out().contains(expected) || System.nanoTime() > deadline) {
        return read.out().strip();
      }
      pause();
    }
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Waits until something accepts connections on {@code port}; answers when, in nanoTime. */
  private static long awaitPortOpen(int port) {
    long deadline = System.nanoTime() + PORT_DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return System.nanoTime();
      } catch (IOException notYet) {
        pause();
      }
    }
    throw new AssertionError("port " + port + " did not open within " + PORT_DEADLINE);
  }

  private static void pause() {
    try {
      Thread.sleep(10); // between polls of a condition with a deadline
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String caughtUpLine(Path log) throws IOException {
    Matcher caughtUp = Pattern.compile("Caught up in .*").matcher(Files.readString(log));
    return caughtUp.find() ? caughtUp.group() : "(no 'Caught up' line yet)";
  }

  private static int[] freePorts(int count) {
    return IntStream.range(0, count).map(i -> MosquittoBroker.freePort()).toArray();
  }
}
