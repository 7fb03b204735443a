package kvs.client.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import kvs.client.KeyValue;
import kvs.client.KvsClient;
import kvs.client.testing.FailingKvsService;
import kvs.client.testing.FakeKvsService;
import kvs.client.testing.InProcessKvs;
import kvs.client.testing.SilentKvsService;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.Versao;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

@Timeout(30)
class ClientCommandTest {

  /** What one run of the command printed and returned. */
  record Run(int exitCode, List<String> out, List<String> err) {}

  private final FakeKvsService service = new FakeKvsService();
  private InProcessKvs server;

  @BeforeEach
  void start() {
    server = InProcessKvs.start(service);
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.close();
  }

  private Run run(String... args) {
    return run(inProcess(server), args);
  }

  private static ClientFactory inProcess(InProcessKvs target) {
    return (host, port, deadline, credentials) ->
        KvsClient.builder().channel(target.channel()).deadline(deadline).build();
  }

  private static Run run(ClientFactory factory, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine command = ClientCommand.newCommandLine(factory);
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    int exitCode = command.execute(args);
    return new Run(exitCode, out.toString().lines().toList(), err.toString().lines().toList());
  }

  private void given(String key, String... values) {
    for (String value : values) {
      assertEquals(0, run("-o", "insere", "-k", key, "-v", value).exitCode());
    }
  }

  private static void assertRun(Run run, int exitCode, String... out) {
    assertAll(
        () -> assertEquals(List.of(out), run.out(), "stdout"),
        () -> assertEquals(List.of(), run.err(), "stderr"),
        () -> assertEquals(exitCode, run.exitCode(), "exit code"));
  }

  @Nested
  class Insere {
    @Test
    void human() {
      assertRun(
          run("-p", "9000", "-o", "insere", "-k", "chave1", "-v", "valor1"),
          0,
          "chave1 -> version 1");
      assertRun(run("-o", "insere", "-k", "chave1", "-v", "valor2"), 0, "chave1 -> version 2");
    }

    @Test
    void json() {
      assertRun(
          run("--json", "-o", "insere", "-k", "chave1", "-v", "valor1"),
          0,
          "{\"key\":\"chave1\",\"version\":1}");
    }

    @Test
    void rejectedIsMinusOneAndExitOne() {
      assertRun(run("-o", "insere", "-k", "ab", "-v", "valor1"), 1, "ab -> rejected (-1)");
      assertRun(
          run("--json", "-o", "insere", "-k", "ab", "-v", "valor1"),
          1,
          "{\"key\":\"ab\",\"version\":-1}");
    }

    @Test
    void longOptionNamesWork() {
      assertRun(
          run("--address=127.0.0.1", "--port=9000", "--op=insere", "--key=chave1", "--val=valor1"),
          0,
          "chave1 -> version 1");
    }

    @Test
    void aValueFromAFileIsItsContentExactlyHoweverLarge(@TempDir Path dir) throws IOException {
      String large =
          "linha 1 \u00e7\u00e3o\n".repeat(40_000)
              + "fim"; // 600 KB: past what one argument may hold
      Path file = Files.writeString(dir.resolve("value.txt"), large, StandardCharsets.UTF_8);

      assertRun(
          run("-o", "insere", "-k", "chave1", "--value-file", file.toString()),
          0,
          "chave1 -> version 1");

      ChaveValor sent = service.<ChaveValor>received("Insere").get(0);
      assertEquals(large, sent.getValor());
    }

    @Test
    void aValueFromStandardInput() {
      StringWriter out = new StringWriter();
      CommandLine command =
          ClientCommand.newCommandLine(
              inProcess(server),
              new ByteArrayInputStream("piped value\n".getBytes(StandardCharsets.UTF_8)));
      command.setOut(new PrintWriter(out));

      assertEquals(0, command.execute("-o", "insere", "-k", "chave1", "--value-file", "-"));
      assertEquals("piped value\n", service.<ChaveValor>received("Insere").get(0).getValor());
    }

    @Test
    void badValueFilesAreUsageErrorsInOneLine(@TempDir Path dir) throws IOException {
      Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[] {'v', 'a', 'l', (byte) 0xE7});
      Path file = Files.writeString(dir.resolve("ok.txt"), "valor1");

      Run missing =
          run("-o", "insere", "-k", "chave1", "--value-file", dir.resolve("absent").toString());
      Run notUtf8 = run("-o", "insere", "-k", "chave1", "--value-file", latin1.toString());
      Run both =
          run("-o", "insere", "-k", "chave1", "-v", "valor1", "--value-file", file.toString());
      Run stdinTwice =
          run("-o", "insere-v", "-k", "a1a", "-k", "b2b", "--value-file", "-", "--value-file", "-");

      assertEquals(
          "kvs: --value-file " + dir.resolve("absent") + ": no such file", missing.err().get(0));
      assertEquals("kvs: --value-file " + latin1 + ": not UTF-8 text", notUtf8.err().get(0));
      assertEquals("kvs: give values with -v or with --value-file, not both", both.err().get(0));
      assertTrue(stdinTwice.err().get(0).contains("only once"), stdinTwice.err().get(0));
      for (Run run : List.of(missing, notUtf8, both, stdinTwice)) {
        assertEquals(2, run.exitCode());
      }
      assertEquals(List.of(), service.received());
    }

    @Test
    void jsonStringsAreEscaped() {
      assertRun(
          run("--json", "-o", "insere", "-k", "ch\"a\\ve", "-v", "valor1"),
          0,
          "{\"key\":\"ch\\\"a\\\\ve\",\"version\":1}");
      assertRun(
          run("--json", "-o", "consulta", "-k", "ch\"a\\ve"),
          0,
          "{\"key\":\"ch\\\"a\\\\ve\",\"value\":\"valor1\",\"version\":1}");
    }
  }

  @Nested
  class Consulta {
    @Test
    void humanReadsTheNewestAndSendsNoVersion() {
      given("chave1", "valor1", "valor2");

      assertRun(run("-o", "consulta", "-k", "chave1"), 0, "chave1 = valor2 (version 2)");
      assertFalse(service.<ChaveVersao>received("Consulta").get(0).hasVersao());
    }

    @Test
    void jsonAtAVersionSendsIt() {
      given("chave1", "valor1", "valor2");

      assertRun(
          run("--json", "-o", "consulta", "-k", "chave1", "-e", "1"),
          0,
          "{\"key\":\"chave1\",\"value\":\"valor1\",\"version\":1}");
      ChaveVersao sent = service.<ChaveVersao>received("Consulta").get(0);
      assertTrue(sent.hasVersao());
      assertEquals(1, sent.getVersao());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--ver=-1", "-e-1", "-e -1", "--ver -1"})
    void negativeVersionsAreSentAsGiven(String option) {
      given("chave1", "valor1", "valor2");
      String[] args =
          option.contains(" ")
              ? new String[] {"-o", "consulta", "-k", "chave1", option.split(" ")[0], "-1"}
              : new String[] {"-o", "consulta", "-k", "chave1", option};

      assertRun(run(args), 0, "chave1 = valor2 (version 2)");
      ChaveVersao sent = service.<ChaveVersao>received("Consulta").get(0);
      assertTrue(sent.hasVersao());
      assertEquals(-1, sent.getVersao());
    }

    @Test
    void notFoundIsExitOneWithTheRequestedKey() {
      assertRun(run("-o", "consulta", "-k", "nenhuma"), 1, "nenhuma: not found");
      assertRun(
          run("--json", "-o", "consulta", "-k", "nenhuma"),
          1,
          "{\"key\":\"nenhuma\",\"value\":null,\"version\":0}");
    }
  }

  @Nested
  class Remove {
    @Test
    void withoutVersionSendsNoneAndRemovesAll() {
      given("chave1", "valor1", "valor2");

      assertRun(run("-o", "remove", "-k", "chave1"), 0, "chave1 -> removed all versions (0)");
      assertFalse(service.<ChaveVersao>received("Remove").get(0).hasVersao());
    }

    @Test
    void oneVersion() {
      given("chave1", "valor1", "valor2");

      assertRun(run("-o", "remove", "-k", "chave1", "-e", "2"), 0, "chave1 -> removed version 2");
      assertRun(
          run("--json", "-o", "remove", "-k", "chave1", "-e", "1"),
          0,
          "{\"key\":\"chave1\",\"version\":1}");
    }

    @Test
    void negativeVersionRemovesAllAndPrintsZero() {
      given("chave1", "valor1");

      assertRun(
          run("--json", "-o", "remove", "-k", "chave1", "--ver=-1"),
          0,
          "{\"key\":\"chave1\",\"version\":0}");
      assertEquals(-1, service.<ChaveVersao>received("Remove").get(0).getVersao());
    }

    @Test
    void nothingRemovedIsMinusOneAndExitOne() {
      assertRun(run("-o", "remove", "-k", "nenhuma"), 1, "nenhuma -> nothing removed (-1)");
      assertRun(
          run("-o", "remove", "-k", "nenhuma", "-e", "3"), 1, "nenhuma -> nothing removed (-1)");
      assertRun(
          run("--json", "-o", "remove", "-k", "nenhuma"),
          1,
          "{\"key\":\"nenhuma\",\"version\":-1}");
    }
  }

  @Nested
  class InsereVarias {
    @Test
    void human() {
      assertRun(
          run(
              "-o",
              "insere-v",
              "-k",
              "chave1",
              "-v",
              "valor1",
              "-k",
              "chave1",
              "-v",
              "valor2",
              "-k",
              "chave2",
              "-v",
              "valor1"),
          0,
          "chave1 -> version 1",
          "chave1 -> version 2",
          "chave2 -> version 1");
      assertEquals(3, service.received("InsereVarias").size());
    }

    @Test
    void jsonWithARejectedItemIsExitOne() {
      assertRun(
          run(
              "--json",
              "-o",
              "insere-v",
              "-k",
              "chave1",
              "-v",
              "valor1",
              "-k",
              "ab",
              "-v",
              "valor1"),
          1,
          "{\"key\":\"chave1\",\"version\":1}",
          "{\"key\":\"ab\",\"version\":-1}");
    }
  }

  @Nested
  class ConsultaVarias {
    @Test
    void withoutVersionsSendsZeroForEachKey() {
      given("chave1", "valor1", "valor2");
      given("chave2", "valor1");

      assertRun(
          run("-o", "consulta-v", "-k", "chave1", "-k", "chave2"),
          0,
          "chave1 = valor2 (version 2)",
          "chave2 = valor1 (version 1)");
      List<ChaveVersao> sent = service.received("ConsultaVarias");
      assertEquals(2, sent.size());
      assertTrue(sent.stream().allMatch(c -> c.hasVersao() && c.getVersao() == 0));
    }

    @Test
    void jsonWithVersionsSendsThemAndNamesMissingKeys() {
      given("chave1", "valor1", "valor2");

      assertRun(
          run("--json", "-o", "consulta-v", "-k", "chave1", "-k", "nenhuma", "-e", "1", "-e", "5"),
          1,
          "{\"key\":\"chave1\",\"value\":\"valor1\",\"version\":1}",
          "{\"key\":\"nenhuma\",\"value\":null,\"version\":0}");
      List<ChaveVersao> sent = service.received("ConsultaVarias");
      assertEquals(List.of(1, 5), sent.stream().map(ChaveVersao::getVersao).toList());
    }

    @Test
    void humanNotFound() {
      assertRun(run("-o", "consulta-v", "-k", "nenhuma"), 1, "nenhuma: not found");
    }
  }

  @Nested
  class RemoveVarias {
    @Test
    void humanWithoutVersionsSendsZeroAndRemovesAll() {
      given("chave1", "valor1", "valor2");

      assertRun(
          run("-o", "remove-v", "-k", "chave1", "-k", "chave1"),
          1,
          "chave1 -> removed all versions (0)",
          "chave1 -> nothing removed (-1)");
      List<ChaveVersao> sent = service.received("RemoveVarias");
      assertTrue(sent.stream().allMatch(c -> c.hasVersao() && c.getVersao() == 0));
    }

    @Test
    void jsonWithVersions() {
      given("chave1", "valor1", "valor2");
      given("chave2", "valor1");

      assertRun(
          run("--json", "-o", "remove-v", "-k", "chave1", "-k", "chave2", "-e", "2", "-e", "0"),
          0,
          "{\"key\":\"chave1\",\"version\":2}",
          "{\"key\":\"chave2\",\"version\":0}");
    }
  }

  @Nested
  class Snapshot {
    @Test
    void humanAtAVersion() {
      given("chave2", "valor1");
      given("chave1", "valor1", "valor2", "valor3");

      assertRun(
          run("-o", "snapshot", "-e", "2"),
          0,
          "chave1 = valor2 (version 2)",
          "chave2 = valor1 (version 1)");
      assertEquals(2, service.<Versao>received("Snapshot").get(0).getVersao());
    }

    @Test
    void jsonWithoutVersionSendsZeroAndReadsTheNewest() {
      given("chave1", "valor1", "valor2");

      assertRun(
          run("--json", "-o", "snapshot"),
          0,
          "{\"key\":\"chave1\",\"value\":\"valor2\",\"version\":2}");
      assertEquals(0, service.<Versao>received("Snapshot").get(0).getVersao());
    }

    @Test
    void printsEachEntryAsItArrivesNotTheWholeAnswerAtTheEnd() {
      int keys = 3_000;
      try (KvsClient kvs = KvsClient.builder().channel(server.channel()).build()) {
        kvs.putAll(
                () ->
                    IntStream.range(0, keys)
                        .mapToObj(i -> KeyValue.of("chave%05d".formatted(i), "valor" + i))
                        .iterator())
            .forEach(r -> assertTrue(r.stored()));
      }
      long[] mostAhead = {0};
      int[] lines = {0};
      Writer out =
          new StringWriter() {
            @Override
            public void write(String text, int offset, int length) {
              super.write(text, offset, length);
              if (text.substring(offset, offset + length).contains("\n")) {
                lines[0]++;
                mostAhead[0] = Math.max(mostAhead[0], service.snapshotSent() - lines[0]);
              }
            }
          };
      CommandLine command = ClientCommand.newCommandLine(inProcess(server));
      command.setOut(new PrintWriter(out));
      command.setErr(new PrintWriter(new StringWriter()));

      assertEquals(0, command.execute("-o", "snapshot"));
      List<String> printed = out.toString().lines().toList();
      assertEquals(keys, printed.size());
      assertEquals("chave00000 = valor0 (version 1)", printed.get(0));
      assertEquals("chave02999 = valor2999 (version 1)", printed.get(keys - 1));
      assertTrue(mostAhead[0] < 1_000, "the server ran " + mostAhead[0] + " entries ahead");
    }

    @Test
    void blankAnswerIsAnEmptySnapshotAndExitZero() {
      assertRun(run("-o", "snapshot", "-e", "3"), 0, "(empty snapshot)");
      assertRun(run("--json", "-o", "snapshot", "-e", "3"), 0);
    }
  }

  @Nested
  class UsageErrors {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "-k chave1",
          "-o apaga -k chave1",
          "-o insere -k chave1",
          "-o insere -v valor1",
          "-o insere -k chave1 -v valor1 -k chave2 -v valor2",
          "-o insere -k chave1 -v valor1 -e 1",
          "-o consulta",
          "-o consulta -k chave1 -k chave2",
          "-o consulta -k chave1 -e 1 -e 2",
          "-o consulta -k chave1 -v valor1",
          "-o remove",
          "-o remove -k chave1 -e 1 -e 2",
          "-o insere-v",
          "-o insere-v -k chave1 -v valor1 -k chave2",
          "-o consulta-v",
          "-o consulta-v -k chave1 -k chave2 -e 1",
          "-o remove-v -k chave1 -e 1 -e 2",
          "-o snapshot -k chave1",
          "-o snapshot -e 1 -e 2",
          "-o consulta -k chave1 -e um",
          "-o consulta -k chave1 -p 0",
          "-o consulta -k chave1 -p porta",
          "-o consulta -k chave1 --deadline 0s",
          "-o consulta -k chave1 --deadline soon",
          "-o consulta -k chave1 --unknown"
        })
    void exitTwoWithAShortMessageAndNoCall(String commandLine) {
      Run run = run(commandLine.split(" "));

      assertEquals(2, run.exitCode(), () -> String.join("\n", run.err()));
      assertEquals(List.of(), run.out());
      assertTrue(run.err().get(0).startsWith("kvs: "), () -> run.err().get(0));
      assertTrue(run.err().get(run.err().size() - 1).startsWith("Try './client.sh --help'"));
      assertTrue(run.err().stream().noneMatch(line -> line.contains("Exception")));
      assertEquals(List.of(), service.received());
    }

    @Test
    void anEmptyAddressIsAUsageError() {
      Run run = run("-a", "", "-o", "consulta", "-k", "chave1");

      assertEquals(2, run.exitCode(), () -> String.join("\n", run.err()));
      assertEquals("kvs: --address must name a host, got ''", run.err().get(0));
      assertEquals(List.of(), service.received());
    }

    @Test
    void whatTheLibraryRefusesIsAUsageErrorInOneLineAndAnythingElseExitsFour() {
      ClientFactory refusing =
          (host, port, deadline, credentials) -> {
            throw new IllegalArgumentException("host is blank");
          };
      ClientFactory broken =
          (host, port, deadline, credentials) -> {
            throw new IllegalStateException("no channel");
          };

      Run refused = run(refusing, "-o", "consulta", "-k", "chave1");
      Run failed = run(broken, "-o", "consulta", "-k", "chave1");

      assertEquals(2, refused.exitCode());
      assertEquals("kvs: host is blank", refused.err().get(0));
      assertEquals(4, failed.exitCode());
      assertEquals(List.of("kvs: unexpected error: no channel"), failed.err());
    }
  }

  @Test
  void unreachableServerIsExitThree() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }

    Run run =
        run(
            ClientFactory.overTcp(),
            "-p",
            String.valueOf(closedPort),
            "-o",
            "consulta",
            "-k",
            "chave1");

    assertEquals(3, run.exitCode());
    assertEquals(List.of(), run.out());
    assertEquals(1, run.err().size());
    assertTrue(
        run.err().get(0).startsWith("kvs: cannot reach 127.0.0.1:" + closedPort + " (UNAVAILABLE"),
        run.err().get(0));
  }

  @Nested
  class Positions {
    private final FakeKvsService tracked = new FakeKvsService();
    private InProcessKvs trackedServer;

    @BeforeEach
    void start() {
      trackedServer = InProcessKvs.start(() -> tracked.definition());
    }

    @AfterEach
    void stop() throws InterruptedException {
      trackedServer.close();
    }

    @Test
    void showPositionPrintsTheWritesPositionToStderrAndNothingElseChanges() {
      run(inProcess(trackedServer), "-o", "insere", "-k", "chave1", "-v", "valor1");

      Run run =
          run(
              inProcess(trackedServer),
              "-o",
              "insere",
              "-k",
              "chave2",
              "-v",
              "valor1",
              "--show-position");

      assertEquals(List.of("chave2 -> version 1"), run.out());
      assertEquals(List.of("position 2"), run.err());
      assertEquals(0, run.exitCode());
    }

    @Test
    void minPositionIsSentWithReads() {
      Run run =
          run(inProcess(trackedServer), "-o", "consulta", "-k", "chave1", "--min-position", "0");
      Run behind =
          run(inProcess(trackedServer), "-o", "consulta", "-k", "chave1", "--min-position", "5");

      assertEquals(1, run.exitCode());
      assertEquals(3, behind.exitCode());
      assertEquals("5", tracked.metadata().calls("Consulta").get(1).minPosition());
      assertTrue(behind.err().get(0).contains("behind position 5"), behind.err().toString());
    }

    @Test
    void aNegativeMinPositionIsAUsageError() {
      assertEquals(
          2,
          run(inProcess(trackedServer), "-o", "consulta", "-k", "chave1", "--min-position=-1")
              .exitCode());
    }
  }

  @Test
  void deadlineExceededIsExitThree() throws InterruptedException {
    try (InProcessKvs silent = InProcessKvs.start(new SilentKvsService())) {
      Run run =
          run(
              inProcess(silent),
              "--deadline",
              "100ms",
              "-o",
              "insere-v",
              "-k",
              "chave1",
              "-v",
              "valor1");

      assertEquals(3, run.exitCode());
      assertEquals(List.of(), run.out());
      assertEquals(1, run.err().size());
      assertTrue(
          run.err().get(0).startsWith("kvs: no answer from 127.0.0.1:9000 within"),
          run.err().get(0));
    }
  }

  @Test
  void anotherServerErrorIsExitFour() throws InterruptedException {
    Status internal = Status.INTERNAL.withDescription("boom");
    try (InProcessKvs failing = InProcessKvs.start(new FailingKvsService(internal))) {
      Run run = run(inProcess(failing), "-o", "snapshot");

      assertEquals(4, run.exitCode());
      assertEquals(List.of(), run.out());
      assertEquals(
          List.of("kvs: 127.0.0.1:9000 failed the call (SERVER_ERROR: INTERNAL: boom)"), run.err());
    }
  }

  @Test
  void helpExplainsEveryOperationAndListsTheExitCodes() {
    Run run = run("--help");

    assertEquals(0, run.exitCode());
    String help = String.join("\n", run.out());
    for (Op op : Op.values()) {
      assertTrue(help.contains("./client.sh -p 9000 -o " + op + " "), () -> "example of " + op);
    }
    assertTrue(help.contains("Exit codes:"));
    for (int code = 0; code <= 4; code++) {
      assertTrue(help.contains("\n  " + code + "   "), "exit code " + code);
    }
  }

  @Test
  void versionPrintsTheProjectVersion() {
    Run run = run("-V");

    assertEquals(0, run.exitCode());
    assertEquals(1, run.out().size());
    assertTrue(run.out().get(0).startsWith("kvs client "));
    assertFalse(run.out().get(0).contains("${"), run.out().get(0));
  }
}
