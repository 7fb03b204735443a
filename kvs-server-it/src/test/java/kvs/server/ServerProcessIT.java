package kvs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import kvs.proto.KVSGrpc;
import kvs.server.testing.ServerProcess;
import kvs.testing.DevCertificates;
import kvs.testing.Eventually;
import kvs.testing.MosquittoBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The packaged server as users run it: {@code java -jar kvs-server.jar PORT}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerProcessIT {
  private static Process launch(Path log, String... args) throws Exception {
    return new ProcessBuilder(ServerProcess.command(List.of(args)))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  @Test
  void servesThenStopsCleanlyOnSigterm() throws Exception {
    Path log = Files.createTempFile("kvs-server", ".log");
    try (MosquittoBroker broker = MosquittoBroker.start()) {
      int port = MosquittoBroker.freePort();
      int httpPort = MosquittoBroker.freePort();
      Process server =
          launch(
              log,
              String.valueOf(port),
              "--broker",
              broker.uri(),
              "--topic",
              "process-it",
              "--http-port",
              String.valueOf(httpPort));
      try {
        Eventually.await(
            Duration.ofSeconds(20),
            "the start line",
            () -> read(log).contains("listening on port " + port));
        Eventually.await(
            Duration.ofSeconds(20),
            "the broker connection",
            () -> read(log).contains("Connected to the broker"));
        Eventually.await(
            Duration.ofSeconds(20), "caught up (alone)", () -> read(log).contains("Caught up"));
        ManagedChannel channel =
            Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create())
                .build();
        try {
          assertEquals(
              1,
              KVSGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(10, TimeUnit.SECONDS)
                  .insere(KvsServiceIT.kv("chave1", "valor1"))
                  .getVersao());
        } finally {
          channel.shutdownNow();
        }
        assertTrue(read(log).contains("HTTP on port " + httpPort), read(log));
        java.net.http.HttpResponse<String> ready =
            java.net.http.HttpClient.newHttpClient()
                .send(
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + httpPort + "/readyz"))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), ready.body());
        server.destroy(); // SIGTERM
        assertTrue(server.waitFor(15, TimeUnit.SECONDS), "stopped within 15 s");
        assertTrue(read(log).contains("stopped"), read(log));
      } finally {
        server.destroyForcibly();
      }
    }
  }

  @Test
  void whatGrpcLogsIsInTheServersOwnFormatAndAClientsMistakesAreOneLine() throws Exception {
    Path log = Files.createTempFile("kvs-server", ".log");
    try (MosquittoBroker broker = MosquittoBroker.start()) {
      int port = MosquittoBroker.freePort();
      Process server =
          launch(log, String.valueOf(port), "--broker", broker.uri(), "--topic", "process-it-jul");
      try {
        Eventually.await(
            Duration.ofSeconds(20), "caught up (alone)", () -> read(log).contains("Caught up"));
        ManagedChannel channel =
            Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create())
                .build();
        try {
          StatusRuntimeException tooLarge =
              assertThrows(
                  StatusRuntimeException.class,
                  () ->
                      KVSGrpc.newBlockingStub(channel)
                          .withDeadlineAfter(10, TimeUnit.SECONDS)
                          .insere(KvsServiceIT.kv("chave1", "v".repeat(5 * 1024 * 1024))));
          assertEquals(Status.Code.RESOURCE_EXHAUSTED, tooLarge.getStatus().getCode());
        } finally {
          channel.shutdownNow();
        }
        ManagedChannel tls =
            Grpc.newChannelBuilderForAddress("127.0.0.1", port, TlsChannelCredentials.create())
                .build();
        try {
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  KVSGrpc.newBlockingStub(tls)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .consulta(KvsServiceIT.key("chave1")));
        } finally {
          tls.shutdownNow();
        }
        Eventually.await(
            Duration.ofSeconds(10),
            "the TLS client's mistake in the log",
            () ->
                read(log)
                    .contains(
                        "A client's connection failed: it began a TLS handshake, but this port"
                            + " serves plaintext"));
        Eventually.await(
            Duration.ofSeconds(10),
            "grpc's warning in the log",
            () -> read(log).contains("exceeds maximum size"));
        List<String> lines = read(log).lines().toList();
        String warning =
            lines.stream()
                .filter(l -> l.contains("exceeds maximum size"))
                .findFirst()
                .orElseThrow();
        assertTrue(warning.matches("\\d{4}-\\d{2}-\\d{2}T.* \\[WARN\\] .*"), warning);
        assertTrue(
            lines.stream().noneMatch(l -> l.startsWith("WARNING:") || l.startsWith("\tat ")),
            read(log));
      } finally {
        server.destroyForcibly();
      }
    }
  }

  @Test
  void aTakenPortFailsAtOnceWithOneLine() throws Exception {
    Path log = Files.createTempFile("kvs-server", ".log");
    try (ServerSocket taken = new ServerSocket(0)) {
      Process server =
          launch(log, String.valueOf(taken.getLocalPort()), "--broker", "tcp://127.0.0.1:1");
      assertTrue(server.waitFor(20, TimeUnit.SECONDS), "exits at once");
      assertEquals(1, server.exitValue());
      String output = read(log).strip();
      assertTrue(
          output.contains("port " + taken.getLocalPort()) && output.contains("already in use"),
          output);
      assertEquals(1, output.lines().count(), output);
    }
  }

  @Test
  void aTakenHttpPortFailsAtOnceNamingIt() throws Exception {
    Path log = Files.createTempFile("kvs-server", ".log");
    try (ServerSocket taken = new ServerSocket(0)) {
      Process server =
          launch(
              log,
              String.valueOf(MosquittoBroker.freePort()),
              "--broker",
              "tcp://127.0.0.1:1",
              "--http-port",
              String.valueOf(taken.getLocalPort()));
      assertTrue(server.waitFor(20, TimeUnit.SECONDS), "exits at once");
      assertEquals(1, server.exitValue());
      assertTrue(
          read(log).contains("cannot listen on HTTP port " + taken.getLocalPort()), read(log));
    }
  }

  @Test
  void usageErrorsExitWithTwo() throws Exception {
    Path log = Files.createTempFile("kvs-server", ".log");
    Process server = launch(log, "not-a-port");
    assertTrue(server.waitFor(20, TimeUnit.SECONDS));
    assertEquals(2, server.exitValue());
    assertTrue(read(log).contains("Usage:"), read(log));
  }

  @Test
  void tlsFilesThatCannotServeAreUsageErrorsNamingTheFile() throws Exception {
    DevCertificates certs = DevCertificates.make();
    String port = String.valueOf(MosquittoBroker.freePort());
    assertUsageError(
        "--tls-cert needs --tls-key", port, "--tls-cert", certs.serverCertificate().toString());
    assertUsageError(
        "--tls-client-ca needs --tls-cert and --tls-key",
        port,
        "--tls-client-ca",
        certs.ca().toString());
    assertUsageError(
        certs.clientKey() + ": this private key does not belong to the certificate",
        port,
        "--tls-cert",
        certs.serverCertificate().toString(),
        "--tls-key",
        certs.clientKey().toString());
    assertUsageError(
        certs.serverKey() + ": no PEM certificate in it",
        port,
        "--tls-cert",
        certs.serverKey().toString(),
        "--tls-key",
        certs.serverKey().toString());
  }

  private static void assertUsageError(String expected, String... args) throws Exception {
    Path log = Files.createTempFile("kvs-server", ".log");
    Process server = launch(log, args);
    assertTrue(server.waitFor(20, TimeUnit.SECONDS));
    assertEquals(2, server.exitValue(), read(log));
    String first = read(log).lines().findFirst().orElse("");
    assertTrue(first.startsWith("kvs-server: " + expected), read(log));
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
