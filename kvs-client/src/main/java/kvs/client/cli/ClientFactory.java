package kvs.client.cli;

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
   * @return the client
   */
  KvsClient open(String host, int port, Duration deadline);

  /**
   * Returns the factory of the real command: plaintext TCP to {@code host:port}.
   *
   * @return the factory
   */
  static ClientFactory overTcp() {
    return (host, port, deadline) ->
        KvsClient.builder().target(host, port).deadline(deadline).build();
  }
}
