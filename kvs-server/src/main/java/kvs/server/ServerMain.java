package kvs.server;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import javax.net.ssl.SSLContext;
import kvs.cli.ByteSizes;
import kvs.cli.Durations;
import kvs.cli.OneLineErrorHandler;
import kvs.cli.SecretFiles;
import kvs.cli.TlsFiles;
import kvs.cli.UsageErrorHandler;
import kvs.cli.VersionProvider;
import kvs.core.replication.MessageAuthentication;
import kvs.core.replication.SizeLimits;
import kvs.server.durability.DurableState;
import kvs.server.durability.FsyncPolicy;
import kvs.server.http.HttpTls;
import kvs.server.replication.BrokerAddress;
import kvs.server.replication.BrokerCredentials;
import kvs.server.state.Replica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./server.sh <port>}: runs one KVS server until SIGTERM or Ctrl-C. */
@Command(
    name = "server.sh",
    mixinStandardHelpOptions = true,
    versionProvider = ServerMain.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Runs one KVS server: serves the gRPC service kvs.KVS on PORT and replicates every write"
          + " through an MQTT broker topic shared by all servers.",
      "Example: ./server.sh 9000 --broker tcp://localhost:1883",
      "Secured (see the README's Security section): ./server.sh 9000 --broker ssl://localhost:8883"
          + " --broker-ca certs/ca.pem --broker-user kvs --broker-password-file broker.pass"
          + " --tls-cert certs/server.pem --tls-key certs/server.key --cluster-key-file cluster.key",
      ""
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "1:could not start (for example, the port is taken), or the broker refused our credentials"
          + " or topic",
      "2:usage error",
      "143:stopped by SIGTERM, after a clean shutdown (130 for Ctrl-C)"
    })
public final class ServerMain implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "PORT",
      description = "TCP port to serve gRPC on (1-65535).")
  private int port;

  @Option(
      names = "--broker",
      paramLabel = "URI",
      defaultValue = "${env:KVS_BROKER:-tcp://localhost:1883}",
      description = "MQTT broker (default: ${DEFAULT-VALUE}; env KVS_BROKER).")
  private String broker;

  @Option(
      names = "--broker-ca",
      paramLabel = "FILE",
      description =
          "With an ssl:// broker: trust the broker's certificate if the CA in FILE (PEM) signed it (default: the system's CAs).")
  private Path brokerCa;

  @Option(
      names = "--broker-user",
      paramLabel = "NAME",
      defaultValue = "${env:KVS_BROKER_USER}",
      description = "Log in to the broker as NAME (env KVS_BROKER_USER); default: anonymously.")
  private String brokerUser;

  @Option(
      names = "--broker-password-file",
      paramLabel = "FILE",
      description =
          "With --broker-user: the password is the first line of FILE (chmod 600); or set env KVS_BROKER_PASSWORD.")
  private Path brokerPasswordFile;

  @Option(
      names = "--broker-cert",
      paramLabel = "FILE",
      description =
          "With an ssl:// broker: present this client certificate (PEM) to the broker; needs --broker-key.")
  private Path brokerCertificate;

  @Option(
      names = "--broker-key",
      paramLabel = "FILE",
      description = "The private key of --broker-cert (PKCS#8 PEM, unencrypted; chmod 600).")
  private Path brokerKey;

  @Option(
      names = "--topic",
      paramLabel = "TOPIC",
      defaultValue = "${env:KVS_TOPIC:-kvs/replication}",
      description =
          "Replication topic; all servers of one cluster use the same (default: ${DEFAULT-VALUE}; env KVS_TOPIC).")
  private String topic;

  @Option(
      names = "--id",
      paramLabel = "ID",
      description =
          "Server id in replication messages and the MQTT client id (default: HOST-PORT, stable across restarts).")
  private String serverId;

  @Option(
      names = "--write-timeout",
      paramLabel = "DURATION",
      defaultValue = "3s",
      converter = Durations.Positive.class,
      description =
          "How long a write may wait to be replicated before it answers -1, e.g. 500ms, 3s (default: ${DEFAULT-VALUE}).")
  private Duration writeTimeout;

  @Option(
      names = "--sync-timeout",
      paramLabel = "DURATION",
      defaultValue = "3s",
      converter = Durations.Positive.class,
      description =
          "How long catching up waits for a live peer that does not answer before it goes on without it; servers that are not there are not waited for (default: ${DEFAULT-VALUE}).")
  private Duration syncTimeout;

  @Option(
      names = "--catch-up-wait",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = Durations.Positive.class,
      description =
          "How long a call that arrives while the server catches up with its peers waits for it (within the call's own deadline) before it fails with UNAVAILABLE, reason CATCHING_UP (default: ${DEFAULT-VALUE}).")
  private Duration catchUpWait;

  @Option(
      names = "--retry-window",
      paramLabel = "DURATION",
      defaultValue = "60s",
      converter = Durations.Positive.class,
      description =
          "How long (in stream time) a write's kvs-request-id is remembered, so that a retry answers the first result; give every server of a cluster the same (default: ${DEFAULT-VALUE}; at least the client's deadline).")
  private Duration retryWindow;

  @Option(
      names = "--heartbeat",
      paramLabel = "DURATION",
      defaultValue = "500ms",
      converter = Durations.Positive.class,
      description =
          "How often the server tells its peers its position and digest (default: ${DEFAULT-VALUE}).")
  private Duration heartbeat;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Keep the state on disk in DIR (write-ahead log and snapshots) and recover it at start. Without it the state lives in memory only.")
  private Path dataDir;

  @Option(
      names = "--fsync",
      paramLabel = "POLICY",
      defaultValue = "batch",
      description =
          "With --data-dir: when the log is forced to disk: batch (before answering each write; loses nothing acknowledged), interval (every --fsync-interval), never (default: ${DEFAULT-VALUE}).")
  private FsyncPolicy fsync;

  @Option(
      names = "--fsync-interval",
      paramLabel = "DURATION",
      defaultValue = "100ms",
      converter = Durations.Positive.class,
      description = "With --fsync interval: how often (default: ${DEFAULT-VALUE}).")
  private Duration fsyncInterval;

  @Option(
      names = "--snapshot-every",
      paramLabel = "N",
      defaultValue = "10000",
      description =
          "With --data-dir: compact the log into a snapshot every N entries (default: ${DEFAULT-VALUE}).")
  private long snapshotEvery;

  @Option(
      names = "--cluster-key-file",
      paramLabel = "FILE",
      description =
          "Sign every replication message with HMAC-SHA256 and accept only messages signed with a key of FILE: one secret of at least 32 bytes per line (openssl rand -hex 32), the first one signs. Give every server of the cluster the same file. Without it nothing is signed, and anyone who can publish on the broker can change the data.")
  private Path clusterKeyFile;

  @Option(
      names = "--max-key-size",
      paramLabel = "SIZE",
      defaultValue = "4KiB",
      converter = ByteSizes.class,
      description =
          "The largest key a write may have, in UTF-8 bytes, e.g. 256, 4KiB; a larger one answers -1 (default: ${DEFAULT-VALUE}).")
  private int maxKeySize;

  @Option(
      names = "--max-value-size",
      paramLabel = "SIZE",
      defaultValue = "1MiB",
      converter = ByteSizes.class,
      description =
          "The largest value a write may have, in UTF-8 bytes; a larger one answers -1 (default: ${DEFAULT-VALUE}).")
  private int maxValueSize;

  @Option(
      names = "--max-message-size",
      paramLabel = "SIZE",
      defaultValue = "4MiB",
      converter = ByteSizes.class,
      description =
          "The largest replication message and state-transfer chunk this server publishes (batches are cut to fit), and the largest gRPC message it takes; at least the largest key and value and 1088 bytes more. Keep it within the broker's limit (Mosquitto: max_packet_size, message_size_limit) (default: ${DEFAULT-VALUE}).")
  private int maxMessageSize;

  @Option(
      names = "--watch-history",
      paramLabel = "SIZE",
      defaultValue = "64MiB",
      converter = ByteSizes.class,
      description =
          "How much of the recent changes (keys and values, heap bytes) the server holds for watchers: a watch can start or resume from any position whose changes are still held, and a watcher that falls further behind is cut (default: ${DEFAULT-VALUE}).")
  private int watchHistory;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      description =
          "Also serve HTTP on PORT: /livez, /readyz, /metrics, the JSON API /v1/kv and /v1/status, /openapi.json, /docs and the web console at / (default: no HTTP). With --tls-cert it is HTTPS, with the same certificate (and --tls-client-ca).")
  private Integer httpPort;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description =
          "Serve gRPC over TLS with this certificate chain (PEM); needs --tls-key. Clients then connect with --tls-ca (or --tls).")
  private Path tlsCertificate;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "The private key of --tls-cert (PKCS#8 PEM, unencrypted; chmod 600).")
  private Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "FILE",
      description =
          "With --tls-cert: accept only clients that present a certificate signed by the CA in FILE (PEM): mutual TLS.")
  private Path tlsClientCa;

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      defaultValue = "info",
      description = "One of error, warn, info, debug, trace (default: ${DEFAULT-VALUE}).")
  private LogLevel logLevel;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  // Held (and so kept reachable) for as long as the server runs.
  private FileLock dataDirLock;

  enum LogLevel {
    error(Level.SEVERE),
    warn(Level.WARNING),
    info(Level.INFO),
    debug(Level.FINE),
    trace(Level.FINEST);

    /** The same threshold for what grpc-java and Netty log through java.util.logging. */
    final Level julLevel;

    LogLevel(Level julLevel) {
      this.julLevel = julLevel;
    }
  }

  /** {@code --version}: kvs-server and the build's version. */
  static final class Version extends VersionProvider {
    Version() {
      super("kvs-server");
    }
  }

  public static void main(String[] args) {
    System.exit(
        new CommandLine(new ServerMain())
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setParameterExceptionHandler(new UsageErrorHandler("kvs-server", "./"))
            .setExecutionExceptionHandler(new OneLineErrorHandler("kvs-server", "./", 2, 1))
            .execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    BrokerAddress brokerAddress = validate();
    // Before the first logger exists: slf4j-simple reads its level once.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", logLevel.name());
    JulToServerLog.install(logLevel.julLevel);
    Logger log = LoggerFactory.getLogger(ServerMain.class);

    ServerConfig config = config(brokerAddress, log);
    KvsServer.Builder builder = KvsServer.builder(config);
    DurableState disk;
    try {
      disk = openDataDir(builder);
    } catch (IOException | RuntimeException e) {
      spec.commandLine()
          .getErr()
          .printf("kvs-server: cannot use the data directory %s: %s%n", dataDir, e.getMessage());
      return 1;
    }
    KvsServer server = builder.build();
    if (disk != null) {
      disk.timeFsyncsWith(server.metrics()::fsync);
    }
    try {
      server.start();
    } catch (IOException e) {
      spec.commandLine()
          .getErr()
          .printf(
              "kvs-server: cannot listen on %s: it is already in use or not allowed (%s)%n",
              String.valueOf(e.getMessage()).startsWith(KvsServer.HTTP_PORT_FAILED)
                  ? "HTTP port " + httpPort
                  : "port " + port,
              rootMessage(e));
      return 1;
    }
    announce(config, log);
    stopOnBrokerRefusal(server, log);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("Shutting down server {}", config.serverId());
                  server.stop(Duration.ofSeconds(5));
                  closeQuietly(disk, log);
                  log.info("Server {} stopped", config.serverId());
                },
                "kvs-shutdown"));
    server.awaitTermination();
    return 0;
  }

  /** What the options alone can tell is wrong; the broker's address. */
  private BrokerAddress validate() {
    if (port < 1 || port > 65535) {
      throw usage("PORT must be 1-65535, got " + port);
    }
    if (httpPort != null && (httpPort < 1 || httpPort > 65535 || httpPort == port)) {
      throw usage("--http-port must be 1-65535 and not PORT, got " + httpPort);
    }
    if (watchHistory < 65536) {
      throw usage("--watch-history must be at least 64KiB, got " + watchHistory + " bytes");
    }
    try {
      return BrokerAddress.parse(broker);
    } catch (IllegalArgumentException e) {
      throw usage("--broker: " + e.getMessage());
    }
  }

  /** Every setting, with the files it names read and checked (a usage error when they are bad). */
  private ServerConfig config(BrokerAddress brokerAddress, Logger log) {
    ServerConfig.Builder config =
        ServerConfig.builder(serverId != null ? serverId : defaultServerId(port))
            .port(port)
            .broker(brokerAddress)
            .brokerCredentials(brokerCredentials(brokerAddress, log))
            .topic(topic)
            .writeTimeout(writeTimeout)
            .syncTimeout(syncTimeout)
            .heartbeatInterval(heartbeat)
            .catchUpWait(catchUpWait)
            .retryWindow(retryWindow)
            .clusterKeys(clusterKeys(log))
            .grpcCredentials(grpcCredentials(log))
            .limits(limits())
            .watchHistoryBytes(watchHistory)
            .httpPort(httpPort == null ? -1 : httpPort);
    httpTls().ifPresent(config::httpTls);
    return config.build();
  }

  /** With --data-dir: the state recovered from it, given to {@code builder}; else null. */
  private DurableState openDataDir(KvsServer.Builder builder) throws IOException {
    if (dataDir == null) {
      return null;
    }
    lockDataDir(dataDir);
    DurableState disk = DurableState.open(dataDir, fsync, fsyncInterval);
    Replica replica = new Replica(disk.recover(retryWindow), watchHistory);
    builder.state(replica, new DiskLog(disk, replica::image, snapshotEvery));
    return disk;
  }

  /** The start lines: where the server listens, how it is secured, where it replicates. */
  private void announce(ServerConfig config, Logger log) {
    log.info(
        "KVS server {} listening on port {} ({}); broker {} as {}, topic {}, write timeout {} ms, {}",
        config.serverId(),
        port,
        tlsCertificate == null
            ? "plaintext"
            : tlsClientCa == null ? "TLS" : "TLS, client certificates required",
        config.broker(),
        config.brokerCredentials(),
        config.topic(),
        config.writeTimeout().toMillis(),
        config.clusterKeys().enabled()
            ? "replication signed (" + config.clusterKeys() + ")"
            : "replication not signed (no --cluster-key-file)");
    if (httpPort != null) {
      String scheme = config.httpTls().isPresent() ? "https" : "http";
      log.info(
          "{} on port {}: web console {}://localhost:{}/, JSON API /v1/kv and /v1/status,"
              + " /livez, /readyz, /metrics, /openapi.json, /docs",
          scheme.toUpperCase(java.util.Locale.ROOT),
          httpPort,
          scheme,
          httpPort);
    }
  }

  /** A broker that refuses us for good (credentials, ACL) stops the server: exit 1. */
  private static void stopOnBrokerRefusal(KvsServer server, Logger log) {
    server
        .brokerRefusal()
        .thenAccept(
            reason ->
                // Not on the MQTT client's thread: exiting runs the shutdown hook, which closes it.
                new Thread(
                        () -> {
                          log.error("{}; stopping", reason);
                          System.exit(1);
                        },
                        "kvs-refused")
                    .start());
  }

  private MessageAuthentication clusterKeys(Logger log) {
    if (clusterKeyFile == null) {
      return MessageAuthentication.NONE;
    }
    try {
      return MessageAuthentication.fromKeyFile(SecretFiles.read(clusterKeyFile, log::warn));
    } catch (IOException | IllegalArgumentException e) {
      throw usage("--cluster-key-file " + clusterKeyFile + ": " + e.getMessage());
    }
  }

  private SizeLimits limits() {
    try {
      return new SizeLimits(maxKeySize, maxValueSize, maxMessageSize);
    } catch (IllegalArgumentException e) {
      throw usage("--max-message-size: " + e.getMessage());
    }
  }

  private ServerCredentials grpcCredentials(Logger log) {
    if (tlsCertificate == null && tlsKey == null) {
      if (tlsClientCa != null) {
        throw usage("--tls-client-ca needs --tls-cert and --tls-key");
      }
      return InsecureServerCredentials.create();
    }
    if (tlsCertificate == null || tlsKey == null) {
      throw usage(
          tlsCertificate == null ? "--tls-key needs --tls-cert" : "--tls-cert needs --tls-key");
    }
    try {
      TlsServerCredentials.Builder tls =
          TlsServerCredentials.newBuilder()
              .keyManager(TlsFiles.identity(tlsCertificate, tlsKey, log::warn).getKeyManagers());
      if (tlsClientCa != null) {
        tls.trustManager(TlsFiles.trust(tlsClientCa).getTrustManagers())
            .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
      }
      return tls.build();
    } catch (IOException e) {
      throw usage(e.getMessage());
    }
  }

  /** The HTTP port's TLS: the same certificate, key and client CA as gRPC's. */
  private Optional<HttpTls> httpTls() {
    if (tlsCertificate == null || tlsKey == null) {
      return Optional.empty();
    }
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          TlsFiles.identity(tlsCertificate, tlsKey, line -> {}).getKeyManagers(),
          tlsClientCa == null ? null : TlsFiles.trust(tlsClientCa).getTrustManagers(),
          null);
      return Optional.of(new HttpTls(context, tlsClientCa != null));
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw usage(e.getMessage());
    }
  }

  private BrokerCredentials brokerCredentials(BrokerAddress address, Logger log) {
    if (!address.tls() && (brokerCa != null || brokerCertificate != null || brokerKey != null)) {
      throw usage(
          "--broker-ca, --broker-cert and --broker-key need a TLS broker: --broker ssl://HOST:PORT");
    }
    if ((brokerCertificate == null) != (brokerKey == null)) {
      throw usage(
          brokerCertificate == null
              ? "--broker-key needs --broker-cert"
              : "--broker-cert needs --broker-key");
    }
    if (brokerPasswordFile != null && brokerUser == null) {
      throw usage("--broker-password-file needs --broker-user");
    }
    try {
      return new BrokerCredentials(
          brokerUser,
          brokerUser == null ? null : brokerPassword(log),
          brokerCa == null ? null : TlsFiles.trust(brokerCa),
          brokerCertificate == null
              ? null
              : TlsFiles.identity(brokerCertificate, brokerKey, log::warn));
    } catch (IOException e) {
      throw usage(e.getMessage());
    }
  }

  /** The first line of --broker-password-file, else KVS_BROKER_PASSWORD, else none. */
  private byte[] brokerPassword(Logger log) throws IOException {
    String password;
    if (brokerPasswordFile != null) {
      try {
        password = SecretFiles.read(brokerPasswordFile, log::warn).lines().findFirst().orElse("");
      } catch (IOException e) {
        throw new IOException(
            "--broker-password-file " + brokerPasswordFile + ": " + e.getMessage());
      }
      if (password.isEmpty()) {
        throw new IOException(
            "--broker-password-file " + brokerPasswordFile + ": its first line is empty");
      }
    } else {
      password = System.getenv("KVS_BROKER_PASSWORD");
    }
    return password == null ? null : password.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  /**
   * One server per data directory: a second one would corrupt it. The lock dies with the process.
   */
  private void lockDataDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    FileChannel channel =
        FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    dataDirLock = channel.tryLock();
    if (dataDirLock == null) {
      channel.close();
      throw new IOException("another server is using it");
    }
  }

  private static void closeQuietly(DurableState disk, Logger log) {
    if (disk == null) {
      return;
    }
    try {
      disk.close();
    } catch (IOException e) {
      log.warn("Closing the data directory failed: {}", e.getMessage());
    }
  }

  /** HOST-PORT: the same after a restart on the same machine and port. */
  static String defaultServerId(int port) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    return host + "-" + port;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
