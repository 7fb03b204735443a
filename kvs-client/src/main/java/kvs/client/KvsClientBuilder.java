package kvs.client;

import io.grpc.Channel;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.Objects;
import kvs.client.internal.GrpcKvsClient;

/**
 * Builds a {@link KvsClient}. Give it either a {@linkplain #target(String, int) server address} or
 * a {@linkplain #channel(Channel) channel of your own}, not both.
 */
public final class KvsClientBuilder {

  /** The deadline of every call unless {@link #deadline(Duration)} says otherwise. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

  private String host;
  private int port;
  private Channel channel;
  private Duration deadline = DEFAULT_DEADLINE;

  KvsClientBuilder() {}

  /**
   * Connects to a server over plaintext TCP. The client owns that connection and closes it in
   * {@link KvsClient#close()}.
   *
   * @param host a host name or IP address
   * @param port the server's port, 1 to 65535
   * @return this builder
   */
  public KvsClientBuilder target(String host, int port) {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host is blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    this.host = host;
    this.port = port;
    return this;
  }

  /**
   * Connects to a server given as {@code host:port}, for example {@code 127.0.0.1:9000} or {@code
   * [::1]:9000}.
   *
   * @param hostAndPort the address
   * @return this builder
   * @see #target(String, int)
   */
  public KvsClientBuilder target(String hostAndPort) {
    Objects.requireNonNull(hostAndPort, "hostAndPort");
    int colon = hostAndPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostAndPort.length() - 1) {
      throw new IllegalArgumentException("expected host:port, got " + hostAndPort);
    }
    String hostPart = hostAndPort.substring(0, colon);
    if (hostPart.startsWith("[") && hostPart.endsWith("]")) {
      hostPart = hostPart.substring(1, hostPart.length() - 1);
    }
    int portPart;
    try {
      portPart = Integer.parseInt(hostAndPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected host:port, got " + hostAndPort, e);
    }
    return target(hostPart, portPart);
  }

  /**
   * Uses a channel the caller created, for example an in-process channel or one with TLS. The
   * caller owns it: {@link KvsClient#close()} does not shut it down.
   *
   * @param channel the channel
   * @return this builder
   */
  public KvsClientBuilder channel(Channel channel) {
    this.channel = Objects.requireNonNull(channel, "channel");
    return this;
  }

  /**
   * Sets how long each call may take, from sending the request to the last answer (default 10 s). A
   * call that takes longer fails with {@link KvsException.Code#DEADLINE_EXCEEDED}.
   *
   * @param deadline a positive duration
   * @return this builder
   */
  public KvsClientBuilder deadline(Duration deadline) {
    Objects.requireNonNull(deadline, "deadline");
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive: " + deadline);
    }
    this.deadline = deadline;
    return this;
  }

  /**
   * Builds the client. Connecting is lazy: an unreachable server shows up as {@link
   * KvsException.Code#UNAVAILABLE} on the first call.
   *
   * @return the client
   * @throws IllegalStateException unless exactly one of a target and a channel was given
   */
  public KvsClient build() {
    if ((host == null) == (channel == null)) {
      throw new IllegalStateException("give exactly one of target(...) and channel(...)");
    }
    if (channel != null) {
      return GrpcKvsClient.overCallerChannel(channel, deadline);
    }
    ManagedChannel owned =
        Grpc.newChannelBuilderForAddress(host, port, InsecureChannelCredentials.create()).build();
    return GrpcKvsClient.overOwnedChannel(owned, deadline);
  }
}
