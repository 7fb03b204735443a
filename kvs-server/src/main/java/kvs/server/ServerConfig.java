package kvs.server;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import kvs.core.replication.MessageAuthentication;
import kvs.core.replication.SizeLimits;
import kvs.core.replication.StateMachine;
import kvs.server.http.HttpTls;
import kvs.server.replication.BrokerAddress;
import kvs.server.replication.BrokerCredentials;
import kvs.server.state.ChangeHistory;

/**
 * Every setting of one server, in one place: {@code ServerMain} fills it from the command line,
 * tests and {@code kvs-testing} from {@link #builder}'s defaults (those of {@code ./server.sh}).
 *
 * @param serverId stable id: in replication messages, and the MQTT client ids' default
 * @param port the gRPC port (0: any free one)
 * @param broker the MQTT broker
 * @param brokerCredentials who we are to the broker, and the CA we trust for its TLS
 * @param topic the replication topic; one topic is one cluster
 * @param mqttClientId the receiving connection's MQTT client id (the publishing one adds {@code
 *     -pub})
 * @param sessionExpiry how long the broker keeps our session (and queues for us) while we are away
 * @param writeTimeout how long a write may wait to be replicated before it answers -1
 * @param syncTimeout how long catching up waits for a live peer that does not answer
 * @param heartbeatInterval how often the server tells its peers where it is
 * @param catchUpWait how long a call that arrives while the server catches up may wait for it
 * @param retryWindow how long (in stream time) a request id is remembered
 * @param clusterKeys the keys that seal and open stream messages ({@link
 *     MessageAuthentication#NONE}: none)
 * @param limits the largest key, value and replication message
 * @param httpPort the HTTP API's port ({@code --http-port}; 0: any free one), or -1 for none
 * @param httpTls HTTPS on that port, or plain HTTP when empty
 * @param grpcCredentials how the gRPC port is secured: plaintext, TLS, or TLS with client
 *     certificates
 * @param watchHistoryBytes how much of the recent changes the server holds for watchers (heap
 *     bytes, roughly)
 */
public record ServerConfig(
    String serverId,
    int port,
    BrokerAddress broker,
    BrokerCredentials brokerCredentials,
    String topic,
    String mqttClientId,
    Duration sessionExpiry,
    Duration writeTimeout,
    Duration syncTimeout,
    Duration heartbeatInterval,
    Duration catchUpWait,
    Duration retryWindow,
    MessageAuthentication clusterKeys,
    SizeLimits limits,
    int httpPort,
    Optional<HttpTls> httpTls,
    ServerCredentials grpcCredentials,
    long watchHistoryBytes) {

  public ServerConfig {
    Objects.requireNonNull(serverId, "serverId");
    Objects.requireNonNull(broker, "broker");
    Objects.requireNonNull(brokerCredentials, "brokerCredentials");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(mqttClientId, "mqttClientId");
    Objects.requireNonNull(clusterKeys, "clusterKeys");
    Objects.requireNonNull(grpcCredentials, "grpcCredentials");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(httpTls, "httpTls");
    for (Duration d :
        new Duration[] {
          sessionExpiry, writeTimeout, syncTimeout, heartbeatInterval, catchUpWait, retryWindow
        }) {
      Objects.requireNonNull(d, "a duration");
    }
    if (httpPort < -1 || httpPort > 65535) {
      throw new IllegalArgumentException("httpPort must be -1 (none) or 0-65535, got " + httpPort);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535, got " + port);
    }
    if (watchHistoryBytes < 1) {
      throw new IllegalArgumentException("watchHistoryBytes must be positive");
    }
  }

  /**
   * A builder with {@code ./server.sh}'s defaults, any free port, and the client id {@code kvs-ID}.
   */
  public static Builder builder(String serverId) {
    return new Builder(serverId);
  }

  /** Builds a {@link ServerConfig}; every setting starts at {@code ./server.sh}'s default. */
  public static final class Builder {
    private final String serverId;
    private int port;
    private BrokerAddress broker = BrokerAddress.parse("tcp://localhost:1883");
    private BrokerCredentials brokerCredentials = BrokerCredentials.NONE;
    private String topic = "kvs/replication";
    private String mqttClientId;
    private Duration sessionExpiry = Duration.ofMinutes(10);
    private Duration writeTimeout = Duration.ofSeconds(3);
    private Duration syncTimeout = Duration.ofSeconds(3);
    private Duration heartbeatInterval = Duration.ofMillis(500);
    private Duration catchUpWait = Duration.ofSeconds(10);
    private Duration retryWindow = StateMachine.DEFAULT_RETRY_WINDOW;
    private MessageAuthentication clusterKeys = MessageAuthentication.NONE;
    private SizeLimits limits = SizeLimits.DEFAULT;
    private int httpPort = -1;
    private Optional<HttpTls> httpTls = Optional.empty();
    private ServerCredentials grpcCredentials = InsecureServerCredentials.create();
    private long watchHistoryBytes = ChangeHistory.DEFAULT_MAX_BYTES;

    private Builder(String serverId) {
      this.serverId = Objects.requireNonNull(serverId, "serverId");
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder broker(BrokerAddress broker) {
      this.broker = broker;
      return this;
    }

    public Builder brokerCredentials(BrokerCredentials brokerCredentials) {
      this.brokerCredentials = brokerCredentials;
      return this;
    }

    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    public Builder mqttClientId(String mqttClientId) {
      this.mqttClientId = mqttClientId;
      return this;
    }

    public Builder sessionExpiry(Duration sessionExpiry) {
      this.sessionExpiry = sessionExpiry;
      return this;
    }

    public Builder writeTimeout(Duration writeTimeout) {
      this.writeTimeout = writeTimeout;
      return this;
    }

    public Builder syncTimeout(Duration syncTimeout) {
      this.syncTimeout = syncTimeout;
      return this;
    }

    public Builder heartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatInterval = heartbeatInterval;
      return this;
    }

    public Builder catchUpWait(Duration catchUpWait) {
      this.catchUpWait = catchUpWait;
      return this;
    }

    public Builder retryWindow(Duration retryWindow) {
      this.retryWindow = retryWindow;
      return this;
    }

    public Builder clusterKeys(MessageAuthentication clusterKeys) {
      this.clusterKeys = clusterKeys;
      return this;
    }

    public Builder limits(SizeLimits limits) {
      this.limits = limits;
      return this;
    }

    /** Serves the HTTP API on {@code httpPort} (0: any free one; -1, the default: none). */
    public Builder httpPort(int httpPort) {
      this.httpPort = httpPort;
      return this;
    }

    /** Serves HTTPS, not HTTP, on the HTTP port. */
    public Builder httpTls(HttpTls httpTls) {
      this.httpTls = Optional.of(httpTls);
      return this;
    }

    public Builder grpcCredentials(ServerCredentials grpcCredentials) {
      this.grpcCredentials = grpcCredentials;
      return this;
    }

    /** Holds about {@code bytes} of recent changes for watchers. */
    public Builder watchHistoryBytes(long bytes) {
      this.watchHistoryBytes = bytes;
      return this;
    }

    public ServerConfig build() {
      return new ServerConfig(
          serverId,
          port,
          broker,
          brokerCredentials,
          topic,
          mqttClientId != null ? mqttClientId : "kvs-" + serverId,
          sessionExpiry,
          writeTimeout,
          syncTimeout,
          heartbeatInterval,
          catchUpWait,
          retryWindow,
          clusterKeys,
          limits,
          httpPort,
          httpTls,
          grpcCredentials,
          watchHistoryBytes);
    }
  }
}
