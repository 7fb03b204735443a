package kvs.server.replication;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The ordered stream that every server publishes to and receives from (an MQTT topic in
 * production). Every subscriber must receive the messages in one and the same order.
 */
public interface ReplicationTransport extends AutoCloseable {

  /**
   * Starts receiving: {@code receiver} gets every message of the stream, one at a time, in stream
   * order. Connecting may go on in the background; this does not wait for it.
   */
  void start(Consumer<byte[]> receiver);

  /** Publishes {@code payload}; completes when the broker has taken it. */
  CompletableFuture<Void> publish(byte[] payload);

  /** True while connected to the broker. */
  boolean isConnected();

  /** Disconnects and stops receiving. */
  @Override
  void close();
}
