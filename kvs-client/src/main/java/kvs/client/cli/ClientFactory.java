package kvs.client.cli;

import io.grpc.ChannelCredentials;
import java.time.Duration;
import kvs.client.KvsClient;

/** Opens the {@link KvsClient} a command runs against; tests substitute an in-process one. */
@FunctionalInterface
public interface ClientFactory {

  /**
   * Opens a client. The command closes it when done.
   *
   * @param host the server's host, from {@code --address}
   * @param port the server's port, from {@code --port}
   * @param deadline the deadline of each call, from {@code --deadline}
   * @param credentials plaintext or TLS, from the {@code --tls} options
   * @return the client
   */
  KvsClient open(String host, int port, Duration deadline, ChannelCredentials credentials);

  /**
   * Returns the factory of the real command: TCP to {@code host:port}.
   *
   * @return the factory
   */
  static ClientFactory overTcp() {
    return (host, port, deadline, credentials) ->
        KvsClient.builder().target(host, port).deadline(deadline).credentials(credentials).build();
  }
}
