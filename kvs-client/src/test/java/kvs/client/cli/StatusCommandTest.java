package kvs.client.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import kvs.client.KvsClient;
import kvs.client.testing.FailingKvsService;
import kvs.client.testing.FakeAdminService;
import kvs.client.testing.FakeKvsService;
import kvs.client.testing.InProcessKvs;
import kvs.proto.admin.KvsAdminGrpc;
import kvs.proto.admin.StatusReply;
import kvs.proto.admin.StatusRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code -o status} against one server, and the {@code status PORT...} cluster view. */
@Timeout(30)
class StatusCommandTest {

  private static final String DIGEST = "0a1b2c3d4e5f6071";
  private static final String OTHER_DIGEST = "ffff000011112222";

  record Run(int exitCode, List<String> out, List<String> err) {}

  /** In-process servers by port; any other port goes over TCP to 127.0.0.1. */
  private final Map<Integer, InProcessKvs> servers = new HashMap<>();

  private final Map<Integer, FakeAdminService> admins = new HashMap<>();
  private final List<String> hostsAsked = Collections.synchronizedList(new ArrayList<>());
  private final ObjectMapper mapper = new ObjectMapper();

  @AfterEach
  void stop() throws InterruptedException {
    for (InProcessKvs server : servers.values()) {
      server.close();
    }
  }

  private FakeAdminService serve(int port, StatusReply reply) {
    FakeAdminService admin = new FakeAdminService(reply);
    servers.put(port, InProcessKvs.start(new FakeKvsService(), admin));
    admins.put(port, admin);
    return admin;
  }

  private void serve(int port, long position, String digest) {
    serve(port, FakeAdminService.healthy("vm-" + port, port, position, digest).build());
  }

  private ClientFactory factory() {
    return (host, port, deadline, credentials) -> {
      hostsAsked.add(host + ":" + port);
      InProcessKvs server = servers.get(port);
      return server == null
          ? ClientFactory.overTcp().open(host, port, deadline, credentials)
          : KvsClient.builder().channel(server.channel()).deadline(deadline).build();
    };
  }

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine command = ClientCommand.newCommandLine(factory());
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    int exitCode = command.execute(args);
    return new Run(exitCode, out.toString().lines().toList(), err.toString().lines().toList());
  }

  private static void assertRun(Run run, int exitCode, String... out) {
    assertAll(
        () -> assertEquals(List.of(out), run.out(), "stdout"),
        () -> assertEquals(List.of(), run.err(), "stderr"),
        () -> assertEquals(exitCode, run.exitCode(), "exit code"));
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private JsonNode json(Run run) throws IOException {
    assertEquals(1, run.out().size(), () -> String.join("\n", run.out()));
    return mapper.readTree(run.out().get(0));
  }

  @Nested
  class OneServer {

    @BeforeEach
    void start() {
      serve(
          9000,
          FakeAdminService.healthy("vm-9000", 9000, 1234, DIGEST)
              .addPeers(FakeAdminService.peer("vm-9001", 9001, 1234, DIGEST, 120))
              .addPeers(
                  FakeAdminService.peer("vm-9002", 9002, 1217, OTHER_DIGEST, 40).toBuilder()
                      .setCaughtUp(false))
              .setSkippedMessages(2)
              .setResyncs(1)
              .setRepairs(1)
              .setRejectedMessages(4)
              .build());
    }

    @Test
    void humanCaughtUpIsExitZero() {
      assertRun(
          run("-p", "9000", "-o", "status"),
          0,
          "server   vm-9000 (port 9000)",
          "broker   connected",
          "state    caught up, position 1234, 100 keys, 300 versions, digest 0a1b2c3d4e5f6071",
          "skipped  2 malformed messages; 4 rejected (unsigned, badly signed or replayed); 1"
              + " re-syncs (1 from a peer's changes)",
          "peers    vm-9001 port 9001 position 1234 digest 0a1b2c3d4e5f6071 (120 ms ago)",
          "         vm-9002 port 9002 position 1217 digest ffff000011112222 (catching up, 40 ms"
              + " ago)");
      assertEquals(List.of("127.0.0.1:9000"), hostsAsked);
    }

    @Test
    void jsonHasEveryFieldInOrder() {
      assertRun(
          run("--json", "-o", "status"),
          0,
          "{\"serverId\":\"vm-9000\",\"port\":9000,\"brokerConnected\":true,\"caughtUp\":true,"
              + "\"position\":1234,\"keys\":100,\"versions\":300,\"digest\":\"0a1b2c3d4e5f6071\","
              + "\"skippedMessages\":2,\"resyncs\":1,\"repairs\":1,\"rejectedMessages\":4,\"peers\":["
              + "{\"serverId\":\"vm-9001\",\"port\":9001,\"position\":1234,"
              + "\"digest\":\"0a1b2c3d4e5f6071\",\"caughtUp\":true,\"lastHeardMs\":120},"
              + "{\"serverId\":\"vm-9002\",\"port\":9002,\"position\":1217,"
              + "\"digest\":\"ffff000011112222\",\"caughtUp\":false,\"lastHeardMs\":40}]}");
    }

    @Test
    void catchingUpIsExitOne() {
      admins
          .get(9000)
          .answer(FakeAdminService.healthy("vm-9000", 9000, 17, DIGEST).setCaughtUp(false).build());

      assertRun(
          run("-o", "status"),
          1,
          "server   vm-9000 (port 9000)",
          "broker   connected",
          "state    catching up, position 17, 100 keys, 300 versions, digest 0a1b2c3d4e5f6071",
          "skipped  0 malformed messages; 0 rejected (unsigned, badly signed or replayed); 0"
              + " re-syncs (0 from a peer's changes)",
          "peers    none heard from recently");
    }

    @Test
    void notConnectedToTheBrokerIsExitOne() {
      admins
          .get(9000)
          .answer(
              FakeAdminService.healthy("vm-9000", 9000, 17, DIGEST)
                  .setBrokerConnected(false)
                  .build());

      Run run = run("--json", "-o", "status");

      assertEquals(1, run.exitCode());
      assertTrue(run.out().get(0).contains("\"brokerConnected\":false"), run.out().get(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-o status -k chave1", "-o status -v valor1", "-o status -e 1"})
    void takesNoKeysValuesOrVersions(String commandLine) {
      Run run = run(commandLine.split(" "));

      assertEquals(2, run.exitCode());
      assertTrue(run.err().get(0).startsWith("kvs: -o status takes no -k, -v or -e"));
      assertEquals(0, admins.get(9000).calls());
    }
  }

  @Test
  void statusOfAnUnreachableServerIsExitThree() throws IOException {
    int port = closedPort();

    Run run = run("-p", String.valueOf(port), "-o", "status");

    assertEquals(3, run.exitCode());
    assertEquals(List.of(), run.out());
    assertTrue(
        run.err().get(0).startsWith("kvs: cannot reach 127.0.0.1:" + port + " (UNAVAILABLE"),
        run.err().get(0));
  }

  @Test
  void aServerWithoutStatusIsExitFour() {
    servers.put(9000, InProcessKvs.start(new FakeKvsService()));

    Run run = run("-o", "status");

    assertEquals(4, run.exitCode());
    assertTrue(run.err().get(0).contains("UNIMPLEMENTED"), run.err().get(0));
  }

  @Test
  void catchingUpServerSaysSoAndIsExitThree() {
    servers.put(9000, InProcessKvs.start(FailingKvsService.catchingUp()));

    assertEquals(
        new Run(
            3,
            List.of(),
            List.of("kvs: 127.0.0.1:9000 is catching up with its peers; try again shortly")),
        run("-o", "consulta", "-k", "chave1"));
  }

  @Nested
  class Cluster {

    @Test
    void allAgreeIsExitZero() {
      serve(9000, 1234, DIGEST);
      serve(9001, 1234, DIGEST);
      serve(9002, 1234, DIGEST);

      assertRun(
          run("status", "9000", "9001", "9002"),
          0,
          "PORT  SERVER   BROKER  CAUGHT-UP  POSITION  KEYS  VERSIONS  DIGEST",
          "9000  vm-9000  yes     yes        1234      100   300       0a1b2c3d4e5f6071",
          "9001  vm-9001  yes     yes        1234      100   300       0a1b2c3d4e5f6071",
          "9002  vm-9002  yes     yes        1234      100   300       0a1b2c3d4e5f6071",
          "all 3 servers agree: position 1234, digest 0a1b2c3d4e5f6071");
    }

    @Test
    void oneBehindDisagreesAndIsExitOne() {
      serve(9000, 1234, DIGEST);
      serve(9001, 1234, DIGEST);
      serve(9002, 1217, OTHER_DIGEST);

      Run run = run("status", "9002", "9000", "9001");

      assertEquals(1, run.exitCode());
      assertEquals(
          "9002  vm-9002  yes     yes        1217      100   300       ffff000011112222",
          run.out().get(1));
      assertEquals(
          "servers disagree: 9002 is 17 entries behind 9000 (position 1217 < 1234)",
          run.out().get(4));
      assertEquals(5, run.out().size());
    }

    @Test
    void differentDigestAtTheSamePositionDisagrees() {
      serve(9000, 1234, DIGEST);
      serve(9001, 1234, OTHER_DIGEST);

      Run run = run("status", "9000", "9001");

      assertEquals(1, run.exitCode());
      assertEquals(
          List.of("servers disagree: 9001 has a different digest at the same position as 9000"),
          run.out().subList(3, run.out().size()));
    }

    @Test
    void catchingUpAgreeingServerIsExitOne() {
      serve(9000, 1234, DIGEST);
      serve(
          9001, FakeAdminService.healthy("vm-9001", 9001, 1234, DIGEST).setCaughtUp(false).build());

      Run run = run("status", "9000", "9001");

      assertEquals(1, run.exitCode());
      assertEquals(
          List.of(
              "all 2 servers agree: position 1234, digest 0a1b2c3d4e5f6071",
              "9001 is catching up with its peers"),
          run.out().subList(3, run.out().size()));
    }

    @Test
    void oneUnreachableIsExitOne() throws IOException {
      serve(9000, 1234, DIGEST);
      serve(9001, 1234, DIGEST);
      int closed = closedPort();

      Run run = run("--deadline", "5s", "status", "9000", "9001", String.valueOf(closed));

      assertEquals(1, run.exitCode(), () -> String.join("\n", run.out()));
      assertEquals(closed + "  -        unreachable", run.out().get(3));
      assertEquals(
          "2 of 3 servers answered and agree: position 1234, digest 0a1b2c3d4e5f6071",
          run.out().get(4));
      assertTrue(
          run.out().get(5).startsWith(closed + ": unreachable (UNAVAILABLE"), run.out().get(5));
      assertEquals(6, run.out().size());
    }

    @Test
    void aServerThatDoesNotAnswerInTimeIsNoAnswer() {
      serve(9000, 1234, DIGEST);
      servers.put(
          9001,
          InProcessKvs.start(
              new KvsAdminGrpc.KvsAdminImplBase() {
                @Override
                public void status(
                    StatusRequest request, io.grpc.stub.StreamObserver<StatusReply> replies) {}
              }));

      long start = System.nanoTime();
      Run run = run("status", "--deadline", "200ms", "9000", "9001");

      assertEquals(1, run.exitCode());
      assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 5);
      assertEquals("9001  -        no answer", run.out().get(2));
    }

    @Test
    void jsonWithOneUnreachable() throws IOException {
      serve(9000, 1234, DIGEST);
      int closed = closedPort();

      Run run = run("status", "--json", "9000", String.valueOf(closed));

      assertEquals(1, run.exitCode());
      JsonNode line = json(run);
      assertTrue(line.get("agree").asBoolean());
      assertEquals(2, line.get("servers").size());
      JsonNode first = line.get("servers").get(0);
      assertEquals("vm-9000", first.get("serverId").asText());
      assertEquals(1234, first.get("position").asLong());
      assertEquals(DIGEST, first.get("digest").asText());
      assertEquals(List.of("agree", "servers"), names(line));
      assertEquals(
          List.of(
              "serverId",
              "port",
              "brokerConnected",
              "caughtUp",
              "position",
              "keys",
              "versions",
              "digest",
              "skippedMessages",
              "resyncs",
              "repairs",
              "rejectedMessages",
              "peers"),
          names(first));
      JsonNode second = line.get("servers").get(1);
      assertEquals(closed, second.get("port").asInt());
      assertEquals("unreachable", second.get("error").asText());
    }

    @Test
    void jsonDisagreeingBeforeTheSubcommand() throws IOException {
      serve(9000, 1234, DIGEST);
      serve(9001, 1217, DIGEST);

      Run run = run("--json", "status", "9000", "9001");

      assertEquals(1, run.exitCode());
      assertEquals(false, json(run).get("agree").asBoolean());
    }

    @Test
    void jsonAllAgreeIsExitZero() throws IOException {
      serve(9000, 1234, DIGEST);
      serve(9001, 1234, DIGEST);

      Run run = run("status", "--json", "9000", "9001");

      assertEquals(0, run.exitCode());
      assertTrue(json(run).get("agree").asBoolean());
    }

    @Test
    void addressIsHonoredBeforeAndAfterTheSubcommand() {
      serve(9000, 1234, DIGEST);

      assertEquals(0, run("-a", "10.1.2.3", "status", "9000").exitCode());
      assertEquals(0, run("status", "--address=10.9.9.9", "9000").exitCode());
      assertEquals(0, run("-a", "10.1.2.3", "status", "-a", "10.9.9.9", "9000").exitCode());

      assertEquals(List.of("10.1.2.3:9000", "10.9.9.9:9000", "10.9.9.9:9000"), hostsAsked);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "status",
          "status 0",
          "status nine",
          "-p 9000 status 9000",
          "-o consulta -k chave1 status 9000",
          "status 9000 --deadline 0s",
          "status 9000 -o status"
        })
    void usageErrorsAreExitTwo(String commandLine) {
      Run run = run(commandLine.split(" "));

      assertEquals(2, run.exitCode(), () -> String.join("\n", run.err()));
      assertEquals(List.of(), run.out());
      assertTrue(run.err().get(0).startsWith("kvs: "), run.err().get(0));
      assertEquals(List.of(), hostsAsked);
    }

    @Test
    void helpExplainsTheViewAndItsExitCodes() {
      Run run = run("status", "--help");

      assertEquals(0, run.exitCode());
      String help = String.join("\n", run.out());
      assertTrue(help.contains("./client.sh status 9000 9001 9002"), help);
      assertTrue(help.contains("--json"), help);
      assertTrue(help.contains("Exit codes:"), help);
      for (int code = 0; code <= 2; code++) {
        assertTrue(help.contains("\n  " + code + "   "), "exit code " + code);
      }
    }
  }

  @Test
  void mainHelpMentionsBoth() {
    Run run = run("--help");

    String help = String.join("\n", run.out());
    assertTrue(help.contains("./client.sh -p 9000 -o status --json"), help);
    assertTrue(help.contains("./client.sh status 9000 9001 9002"), help);
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
