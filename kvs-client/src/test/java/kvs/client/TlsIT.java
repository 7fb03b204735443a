package kvs.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLContext;
import kvs.cli.TlsFiles;
import kvs.client.cli.ClientCommand;
import kvs.client.cli.ClientFactory;
import kvs.server.http.HttpTls;
import kvs.testing.DevCertificates;
import kvs.testing.MosquittoBroker;
import kvs.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * gRPC over TLS, with real servers: one serving TLS, one requiring client certificates (mutual
 * TLS), one plaintext; and clients (the library and {@code client.sh}) with and without the right
 * credentials. Every refusal must arrive at once and say what to do.
 */
@Timeout(120)
class TlsIT {
  private static final Duration LONG_DEADLINE = Duration.ofSeconds(30);

  private static DevCertificates certs;
  private static MosquittoBroker broker;
  private static TestCluster tls;
  private static TestCluster mutualTls;
  private static TestCluster plaintext;

  @BeforeAll
  static void start() throws IOException {
    certs = DevCertificates.make();
    broker = MosquittoBroker.start();
    ServerCredentials serverTls =
        TlsServerCredentials.newBuilder()
            .keyManager(identity(certs.serverCertificate(), certs.serverKey()))
            .build();
    ServerCredentials serverMutualTls =
        TlsServerCredentials.newBuilder()
            .keyManager(identity(certs.serverCertificate(), certs.serverKey()))
            .trustManager(TlsFiles.trust(certs.ca()).getTrustManagers())
            .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
            .build();
    HttpTls httpTls = new HttpTls(context(true, false), false);
    HttpTls httpMutualTls = new HttpTls(context(true, true), true);
    tls =
        TestCluster.start(
            broker, 1, b -> b.grpcCredentials(serverTls).httpPort(0).httpTls(httpTls));
    mutualTls =
        TestCluster.start(
            broker, 1, b -> b.grpcCredentials(serverMutualTls).httpPort(0).httpTls(httpMutualTls));
    plaintext = TestCluster.start(broker, 1);
  }

  /** An SSL context with the server's (or client's) identity and trust in the CA, as asked. */
  private static SSLContext context(boolean serverIdentity, boolean trustCa) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          serverIdentity ? identity(certs.serverCertificate(), certs.serverKey()) : null,
          trustCa ? TlsFiles.trust(certs.ca()).getTrustManagers() : null,
          null);
      return context;
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int get(String url, SSLContext client) throws Exception {
    return HttpClient.newBuilder()
        .sslContext(client)
        .build()
        .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  @Test
  void theHttpPortServesHttpsWithTheSameCertificateAndClientCa() throws Exception {
    SSLContext trusting = SSLContext.getInstance("TLS");
    trusting.init(null, TlsFiles.trust(certs.ca()).getTrustManagers(), null);
    String https = "https://localhost:" + tls.server(0).httpPort() + "/readyz";
    assertEquals(200, get(https, trusting));
    assertThrows(
        IOException.class,
        () -> get("http://localhost:" + tls.server(0).httpPort() + "/readyz", trusting),
        "no plain HTTP on a TLS server's HTTP port");

    String mutual = "https://localhost:" + mutualTls.server(0).httpPort() + "/readyz";
    assertThrows(IOException.class, () -> get(mutual, trusting), "no client certificate");
    SSLContext withCertificate = SSLContext.getInstance("TLS");
    withCertificate.init(
        identity(certs.clientCertificate(), certs.clientKey()),
        TlsFiles.trust(certs.ca()).getTrustManagers(),
        null);
    assertEquals(200, get(mutual, withCertificate));
  }

  private static javax.net.ssl.KeyManager[] identity(Path certificate, Path key)
      throws IOException {
    return TlsFiles.identity(certificate, key, line -> {}).getKeyManagers();
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {tls, mutualTls, plaintext, broker}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // the next one still
      }
    }
  }

  private static KvsClientBuilder to(TestCluster cluster) {
    return KvsClient.builder()
        .target("localhost", cluster.server(0).port())
        .deadline(LONG_DEADLINE);
  }

  @Test
  void aClientTrustingTheCaWritesAndReadsOverTls() {
    try (KvsClient kvs = to(tls).tlsCa(certs.ca()).build()) {
      assertEquals(1, kvs.put("tls-key", "valor1"));
      assertEquals("valor1", kvs.get("tls-key").orElseThrow().value());
    }
  }

  @Test
  void aPlaintextClientOfATlsServerIsToldAtOnceToUseTls() {
    KvsException e = failure(to(tls));
    assertEquals(KvsException.Code.UNAVAILABLE, e.code());
    assertTrue(e.getMessage().contains("if it serves TLS, connect with TLS"), e.getMessage());
  }

  @Test
  void aTlsClientOfAPlaintextServerIsToldItDoesNotServeTls() {
    KvsException e = failure(to(plaintext).tlsCa(certs.ca()));
    assertTrue(e.getMessage().contains("the server does not serve TLS"), e.getMessage());
  }

  @Test
  void aClientThatDoesNotTrustTheServersCaIsToldSo() {
    KvsException e = failure(to(tls).tls()); // the system's CAs do not include ours
    assertTrue(e.getMessage().contains("not signed by a CA this client trusts"), e.getMessage());
  }

  @Test
  void aServerRequiringClientCertificatesRefusesAClientWithoutOne() {
    KvsException e = failure(to(mutualTls).tlsCa(certs.ca()));
    assertTrue(e.getMessage().contains("requires a client certificate"), e.getMessage());
  }

  @Test
  void aServerRequiringClientCertificatesServesAClientWithOne() {
    try (KvsClient kvs =
        to(mutualTls)
            .tlsCa(certs.ca())
            .tlsClientCertificate(certs.clientCertificate(), certs.clientKey())
            .build()) {
      assertEquals(1, kvs.put("mtls-key", "valor1"));
    }
  }

  @Test
  void aMissingCaFileFailsTheBuild() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> to(tls).tlsCa(certs.dir().resolve("missing.pem")).build());
    assertTrue(e.getMessage().contains("missing.pem"), e.getMessage());
  }

  @Test
  void theCommandLineClientConnectsWithItsTlsOptions() {
    Run run =
        cli(
            "-a",
            "localhost",
            "-p",
            port(mutualTls),
            "--tls-ca",
            certs.ca().toString(),
            "--tls-cert",
            certs.clientCertificate().toString(),
            "--tls-key",
            certs.clientKey().toString(),
            "-o",
            "insere",
            "-k",
            "cli-tls",
            "-v",
            "valor1");
    assertEquals(0, run.exit(), run.err());
    assertEquals("cli-tls -> version 1", run.out().strip());
  }

  @Test
  void theCommandLineClientSaysWhatIsMissingInOneLine() {
    Run run = cli("-a", "localhost", "-p", port(tls), "-o", "consulta", "-k", "cli-tls");
    assertEquals(3, run.exit(), run.err());
    assertTrue(run.err().contains("if it serves TLS"), run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());

    Run halfCertificate =
        cli("-p", port(tls), "--tls-cert", certs.clientCertificate().toString(), "-o", "status");
    assertEquals(2, halfCertificate.exit());
    assertTrue(
        halfCertificate.err().startsWith("kvs: --tls-cert needs --tls-key"), halfCertificate.err());
  }

  @Test
  void theCommandLineClientRefusesAKeyThatIsNotTheCertificatesOwn() {
    Run run =
        cli(
            "-p",
            port(tls),
            "--tls-cert",
            certs.clientCertificate().toString(),
            "--tls-key",
            certs.serverKey().toString(),
            "-o",
            "status");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("does not belong to the certificate"), run.err());
  }

  private static String port(TestCluster cluster) {
    return String.valueOf(cluster.server(0).port());
  }

  /** The first call's failure; it must come long before the deadline (no waiting it out). */
  private static KvsException failure(KvsClientBuilder builder) {
    try (KvsClient kvs = builder.build()) {
      Instant start = Instant.now();
      KvsException e = assertThrows(KvsException.class, () -> kvs.get("tls-probe"));
      Duration took = Duration.between(start, Instant.now());
      assertTrue(took.compareTo(LONG_DEADLINE.dividedBy(3)) < 0, "failed only after " + took);
      return e;
    }
  }

  private record Run(int exit, String out, String err) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine command = ClientCommand.newCommandLine(ClientFactory.overTcp());
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));
    int exit = command.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }
}
