package kvs.client;

import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import kvs.client.internal.ClientConfig;
import kvs.client.internal.GrpcKvsClient;
import kvs.client.internal.HostAndPort;

/**
 * Builds a {@link KvsClient}. Give it either {@linkplain #targets(String) server addresses} or a
 * {@linkplain #channel(Channel) channel of your own}, not both.
 *
 * <pre>{@code
 * KvsClient kvs = KvsClient.builder()
 *     .targets("10.0.0.1:9000,10.0.0.2:9000,10.0.0.3:9000")
 *     .deadline(Duration.ofSeconds(2))
 *     .build();
 * }</pre>
 */
public final class KvsClientBuilder {

  /** The deadline of every call unless {@link #deadline(Duration)} says otherwise. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

  /** How many times a call is sent at most unless {@link #maxAttempts(int)} says otherwise. */
  public static final int DEFAULT_MAX_ATTEMPTS = 5;

  private final List<HostAndPort> targets = new ArrayList<>();
  private Channel channel;
  private Duration deadline = DEFAULT_DEADLINE;
  private ChannelCredentials credentials;
  private boolean tls;
  private Path tlsCa;
  private Path tlsCertificate;
  private Path tlsKey;
  private Duration keepAliveTime;
  private Duration keepAliveTimeout;
  private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
  private boolean retryWrites = true;
  private boolean readYourWrites = true;

  KvsClientBuilder() {}

  /**
   * Connects to one or more servers of one cluster, given as a comma-separated list of {@code
   * host:port}, for example {@code localhost:9000,localhost:9001} or {@code [::1]:9000}. Calls are
   * spread over the servers (round robin); a server that is down, or answers {@code UNAVAILABLE},
   * is skipped while others answer. The client owns these connections and closes them in {@link
   * KvsClient#close()}. Replaces targets given before.
   *
   * @param hostsAndPorts one or more addresses, separated by commas
   * @return this builder
   * @throws IllegalArgumentException when an address is not {@code host:port} with a port from 1 to
   *     65535
   */
  public KvsClientBuilder targets(String hostsAndPorts) {
    Objects.requireNonNull(hostsAndPorts, "hostsAndPorts");
    List<HostAndPort> parsed = new ArrayList<>();
    for (String part : hostsAndPorts.split(",", -1)) {
      parsed.add(HostAndPort.parse(part.strip()));
    }
    targets.clear();
    targets.addAll(parsed);
    return this;
  }

  /**
   * Connects to one server given as {@code host:port}, for example {@code 127.0.0.1:9000} or {@code
   * [::1]:9000}: {@link #targets(String)} with one address.
   *
   * @param hostAndPort the address
   * @return this builder
   */
  public KvsClientBuilder target(String hostAndPort) {
    Objects.requireNonNull(hostAndPort, "hostAndPort");
    if (hostAndPort.contains(",")) {
      throw new IllegalArgumentException("one host:port expected; use targets(...) for several");
    }
    return targets(hostAndPort);
  }

  /**
   * Connects to one server: {@link #targets(String)} with one address.
   *
   * @param host a host name or IP address
   * @param port the server's port, 1 to 65535
   * @return this builder
   */
  public KvsClientBuilder target(String host, int port) {
    HostAndPort target = HostAndPort.of(host, port);
    targets.clear();
    targets.add(target);
    return this;
  }

  /**
   * Uses a channel the caller created and owns, for example an in-process channel. {@link
   * KvsClient#close()} does not shut it down. The channel's own configuration decides load
   * balancing and retries ({@link #maxAttempts(int)}, {@link #retryWrites(boolean)}, {@link
   * #credentials(ChannelCredentials)} and {@link #keepAlive(Duration, Duration)} do not apply);
   * request ids, positions and deadlines do.
   *
   * @param channel the channel
   * @return this builder
   */
  public KvsClientBuilder channel(Channel channel) {
    this.channel = Objects.requireNonNull(channel, "channel");
    return this;
  }

  /**
   * Sets how long each call may take, from sending the request to the last answer and over all its
   * attempts (default 10 s). A call that takes longer fails with {@link
   * KvsException.Code#DEADLINE_EXCEEDED}. {@link KvsClient#withDeadline(Duration)} sets it per
   * call. A batch or snapshot must be consumed within it too.
   *
   * @param deadline a positive duration
   * @return this builder
   */
  public KvsClientBuilder deadline(Duration deadline) {
    this.deadline = positive(deadline, "deadline");
    return this;
  }

  /**
   * Sets how connections to the targets are secured (default: plaintext, {@link
   * InsecureChannelCredentials}), for what {@link #tls()}, {@link #tlsCa(Path)} and {@link
   * #tlsClientCertificate(Path, Path)} do not cover; give either these or those.
   *
   * @param credentials the channel credentials
   * @return this builder
   */
  public KvsClientBuilder credentials(ChannelCredentials credentials) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    return this;
  }

  /**
   * Connects with TLS, trusting the servers whose certificate a CA of the system's trust store
   * signed, unless {@link #tlsCa(Path)} names another CA. The servers must serve TLS ({@code
   * --tls-cert}).
   *
   * @return this builder
   */
  public KvsClientBuilder tls() {
    this.tls = true;
    return this;
  }

  /**
   * Connects with TLS, trusting the servers whose certificate the CA (or CAs) in {@code caPem}
   * signed, for example {@code certs/ca.pem} from {@code scripts/dev-certs.sh}.
   *
   * @param caPem a PEM file of one or more CA certificates
   * @return this builder
   */
  public KvsClientBuilder tlsCa(Path caPem) {
    this.tlsCa = Objects.requireNonNull(caPem, "caPem");
    this.tls = true;
    return this;
  }

  /**
   * Connects with TLS and presents this certificate to servers that require one ({@code
   * --tls-client-ca}).
   *
   * @param certificatePem the client's certificate chain, PEM
   * @param keyPem its private key, unencrypted PKCS#8 PEM
   * @return this builder
   */
  public KvsClientBuilder tlsClientCertificate(Path certificatePem, Path keyPem) {
    this.tlsCertificate = Objects.requireNonNull(certificatePem, "certificatePem");
    this.tlsKey = Objects.requireNonNull(keyPem, "keyPem");
    this.tls = true;
    return this;
  }

  /**
   * Sends HTTP/2 keepalive pings on connections with calls in flight, to find a dead server or
   * connection sooner than TCP would (default: no pings). A server refuses pings more frequent than
   * it permits (gRPC servers allow one every 5 minutes unless configured otherwise) by closing the
   * connection.
   *
   * @param time how long a connection may be idle before a ping, positive
   * @param timeout how long to wait for the ping's answer before closing the connection, positive
   * @return this builder
   */
  public KvsClientBuilder keepAlive(Duration time, Duration timeout) {
    this.keepAliveTime = positive(time, "time");
    this.keepAliveTimeout = positive(timeout, "timeout");
    return this;
  }

  /**
   * Sets how many times at most a call is sent when it fails with {@code UNAVAILABLE} (a server
   * down, catching up, or behind this client's writes), each attempt going to the next server
   * (default 5; 1 disables retries). Attempts are spaced by a growing, randomized backoff starting
   * at 50 ms, and all of them share the call's deadline. A batch or snapshot is retried only until
   * its first answer arrives and while what it has sent fits gRPC's retry buffer (1 MiB).
   *
   * @param maxAttempts from 1 to 5
   * @return this builder
   */
  public KvsClientBuilder maxAttempts(int maxAttempts) {
    if (maxAttempts < 1 || maxAttempts > 5) {
      throw new IllegalArgumentException("maxAttempts must be from 1 to 5, got " + maxAttempts);
    }
    this.maxAttempts = maxAttempts;
    return this;
  }

  /**
   * Sets whether writes are retried like reads (default true). That is safe with KVS servers, which
   * remember the request id every write carries and answer a repeated one with the original result,
   * on every server. Turn it off for servers that do not: a write whose answer was lost is then
   * reported as failed, and may or may not have been applied.
   *
   * @param retryWrites whether to retry writes
   * @return this builder
   */
  public KvsClientBuilder retryWrites(boolean retryWrites) {
    this.retryWrites = retryWrites;
    return this;
  }

  /**
   * Sets whether reads ask to be served at this client's {@link KvsClient#position()} or later
   * (default true), so that they see this client's earlier writes whichever server answers. A
   * server that has not reached the position waits a moment for it, or answers {@code UNAVAILABLE}
   * and the read is retried elsewhere. Off, reads are served by whichever server answers, as far as
   * it has got.
   *
   * @param readYourWrites whether reads see this client's writes
   * @return this builder
   */
  public KvsClientBuilder readYourWrites(boolean readYourWrites) {
    this.readYourWrites = readYourWrites;
    return this;
  }

  /**
   * Builds the client. Connecting is lazy: unreachable servers show up as {@link
   * KvsException.Code#UNAVAILABLE} on the first call.
   *
   * @return the client
   * @throws IllegalStateException unless exactly one of targets and a channel was given, or when
   *     both credentials and a TLS option were given
   * @throws IllegalArgumentException when a TLS file cannot be read
   */
  public KvsClient build() {
    if (targets.isEmpty() == (channel == null)) {
      throw new IllegalStateException("give exactly one of targets(...) and channel(...)");
    }
    if (tls && credentials != null) {
      throw new IllegalStateException("give either credentials(...) or the tls options, not both");
    }
    return GrpcKvsClient.create(
        new ClientConfig(
            List.copyOf(targets),
            channel,
            deadline,
            credentials != null
                ? credentials
                : tls ? tlsCredentials() : InsecureChannelCredentials.create(),
            keepAliveTime,
            keepAliveTimeout,
            maxAttempts,
            retryWrites,
            readYourWrites));
  }

  private ChannelCredentials tlsCredentials() {
    TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
    Path reading = null;
    try {
      if (tlsCa != null) {
        reading = tlsCa;
        builder.trustManager(tlsCa.toFile());
      }
      if (tlsCertificate != null) {
        reading = tlsCertificate;
        builder.keyManager(tlsCertificate.toFile(), tlsKey.toFile());
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the TLS file " + reading + ": " + e, e);
    }
    return builder.build();
  }

  private static Duration positive(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + duration);
    }
    return duration;
  }
}
