package kvs.server.replication;

import java.util.concurrent.CompletableFuture;

/**
 * The ordered stream that every server publishes to and receives from (an MQTT topic in
 * production), plus a private reply topic per server for state transfers. Every subscriber must
 * receive the stream's messages in one and the same order.
 */
public interface ReplicationTransport extends AutoCloseable {

  /** What the transport delivers, one call at a time, in order. */
  interface Listener {
    /** A message of the shared stream. */
    void onStreamMessage(byte[] payload);

    /** A state-transfer chunk sent to this server's reply topic. */
    void onStateChunk(byte[] payload);

    /**
     * Connected (again) and subscribed. {@code sessionResumed} is false when the broker had no
     * session for us: whatever was published meanwhile is lost to us.
     */
    void onConnected(boolean firstConnect, boolean sessionResumed);

    /**
     * A server's presence changed: {@code payload} is what it says about itself while it is live,
     * empty once it is gone. {@code member} names it (the same for its whole life).
     */
    void onPresence(String member, byte[] payload);
  }

  /**
   * Starts connecting and receiving; connecting may go on in the background. While connected,
   * {@code presence} is what peers see of this server (and nothing once it is gone); they see the
   * presence of every live server as soon as they subscribe, and before its messages.
   */
  void start(Listener listener, byte[] presence);

  /**
   * Publishes {@code payload} on the stream; completes when the broker has taken it, and fails with
   * {@link PublishRefusedException} when the broker surely did not.
   */
  CompletableFuture<Void> publish(byte[] payload);

  /** Sends a state-transfer chunk to another server's reply topic. */
  CompletableFuture<Void> sendState(String replyTopic, byte[] payload);

  /** This server's reply topic, where peers send it their state. */
  String replyTopic();

  /**
   * Completes with a one-line reason when the broker refuses this server for good (wrong
   * credentials, a topic it may not use); never, for a transport without such a broker.
   */
  default CompletableFuture<String> refusal() {
    return new CompletableFuture<>();
  }

  /** True while connected to the broker. */
  boolean isConnected();

  /** Disconnects and stops receiving. */
  @Override
  void close();
}
