package kvs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import kvs.cli.TlsFiles;
import kvs.server.replication.BrokerCredentials;
import kvs.server.testing.ServerProcess;
import kvs.testing.DevCertificates;
import kvs.testing.MosquittoBroker;
import kvs.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real Mosquitto that takes TLS only, lets in only users of its password file and gives them only
 * what its ACL allows: KVS servers replicate through it with the right credentials, and stop at
 * once, in one line naming the broker and the user, with wrong ones.
 */
@Timeout(120)
class SecuredBrokerIT {
  private static final String PASSWORD = "kvs-" + UUID.randomUUID();

  private static DevCertificates certs;
  private static MosquittoBroker broker;

  @BeforeAll
  static void startBroker() {
    certs = DevCertificates.make();
    broker =
        MosquittoBroker.startSecured(
            certs,
            Map.of("kvs", PASSWORD, "outsider", "outsider-password"),
            String.join(
                "\n",
                "user kvs",
                "topic readwrite kvs-test/#",
                "topic readwrite secured/#",
                "user outsider",
                "topic readwrite elsewhere/#",
                ""));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void serversReplicateThroughTheTlsBrokerWithTheirPasswordAndAcl() throws IOException {
    BrokerCredentials kvs =
        new BrokerCredentials(
            "kvs", PASSWORD.getBytes(StandardCharsets.UTF_8), TlsFiles.trust(certs.ca()), null);
    try (TestCluster cluster = TestCluster.start(broker, 2, b -> b.brokerCredentials(kvs))) {
      assertEquals(1, cluster.blocking(0).insere(KvsServiceIT.kv("chave1", "valor1")).getVersao());
      cluster.awaitConverged();
      assertEquals("valor1", cluster.blocking(1).consulta(KvsServiceIT.key("chave1")).getValor());
    }
  }

  @Test
  void aServerStartedAsUsersDoReplicatesAndKeepsThePasswordOutOfItsLog() throws IOException {
    String topic = "secured/" + UUID.randomUUID();
    Path passwordFile = passwordFile(PASSWORD);
    try (ServerProcess a = start("a", topic, passwordFile);
        ServerProcess b = start("b", topic, passwordFile)) {
      a.awaitServing(Duration.ofSeconds(30));
      b.awaitServing(Duration.ofSeconds(30));
      assertEquals(1, a.kvs().insere(KvsServiceIT.kv("chave1", "valor1")).getVersao());
      kvs.testing.Eventually.await(
          Duration.ofSeconds(10),
          "b has the write",
          () -> b.kvs().consulta(KvsServiceIT.key("chave1")).getVersao() == 1);
      assertTrue(
          a.logText()
              .contains(
                  "broker ssl://127.0.0.1:" + broker.port() + " as user 'kvs' with a password"),
          a.logText());
      assertFalse(a.logText().contains(PASSWORD), "the password is never logged");
    }
  }

  @Test
  void aWrongPasswordStopsTheServerWithOneLineNamingTheBrokerAndTheUser() throws IOException {
    try (ServerProcess server =
        start("wrong", "secured/" + UUID.randomUUID(), passwordFile("not-it"))) {
      assertEquals(1, server.awaitExit(Duration.ofSeconds(30)), server.logText());
      assertRefusedWith(
          server,
          "The broker at ssl://127.0.0.1:"
              + broker.port()
              + " refused to let user 'kvs' with a password connect (not authorized); check the user"
              + " name and password; stopping");
    }
  }

  @Test
  void aTopicTheAclDeniesStopsTheServerWithOneLine() throws IOException {
    try (ServerProcess server =
        ServerProcess.start(
            "outsider",
            broker.uri(),
            "secured/" + UUID.randomUUID(),
            "--broker-ca",
            certs.ca().toString(),
            "--broker-user",
            "outsider",
            "--broker-password-file",
            passwordFile("outsider-password").toString())) {
      assertEquals(1, server.awaitExit(Duration.ofSeconds(30)), server.logText());
      assertRefusedWith(server, "does not let user 'outsider' with a password publish on secured/");
    }
  }

  @Test
  void aBrokerCertificateNoTrustedCaSignedStopsTheServerWithOneLine() throws IOException {
    try (ServerProcess server =
        ServerProcess.start(
            "untrusting",
            broker.uri(),
            "secured/" + UUID.randomUUID(),
            "--broker-user",
            "kvs",
            "--broker-password-file",
            passwordFile(PASSWORD).toString())) {
      assertEquals(1, server.awaitExit(Duration.ofSeconds(30)), server.logText());
      assertRefusedWith(server, "The TLS handshake with the broker at " + broker.uri() + " failed");
    }
  }

  private static ServerProcess start(String id, String topic, Path passwordFile) {
    return ServerProcess.start(
        id,
        broker.uri(),
        topic,
        "--broker-ca",
        certs.ca().toString(),
        "--broker-user",
        "kvs",
        "--broker-password-file",
        passwordFile.toString());
  }

  private static void assertRefusedWith(ServerProcess server, String expected) {
    List<String> errors =
        server.logText().lines().filter(line -> line.contains("[ERROR]")).toList();
    assertEquals(1, errors.size(), server.logText());
    assertTrue(errors.get(0).contains(expected), server.logText());
    assertTrue(server.logText().lines().noneMatch(l -> l.startsWith("\tat ")), server.logText());
  }

  private static Path passwordFile(String password) throws IOException {
    Path file = Files.createTempFile("kvs-broker", ".pass");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    Files.writeString(file, password + "\n");
    return file;
  }
}
