package kvs.server.replication;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiPredicate;

/**
 * The replication stream in one JVM, for protocol tests: one delivery thread hands every message to
 * every subscriber in one order (what the broker guarantees), keeps presences as retained messages
 * and clears a subscriber's presence when it leaves or crashes (its Last Will). Faults on demand:
 * drop or duplicate what a subscriber receives.
 */
final class InMemoryStream implements AutoCloseable {
  private final ExecutorService delivery =
      Executors.newSingleThreadExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "in-memory-stream");
            thread.setDaemon(true);
            return thread;
          });
  private final List<Endpoint> endpoints = new ArrayList<>(); // delivery thread only
  private final Map<String, byte[]> presences = new LinkedHashMap<>(); // delivery thread only

  /** What a subscriber receives: (receiver, payload); false drops it for that receiver. */
  private volatile BiPredicate<String, byte[]> deliverStream = (to, payload) -> true;

  private volatile BiPredicate<String, byte[]> deliverChunk = (to, payload) -> true;
  private volatile BiPredicate<String, byte[]> duplicateStream = (to, payload) -> false;

  /** A transport for the server whose client id is {@code clientId}. */
  Endpoint connect(String clientId, Executor listenerExecutor) {
    return new Endpoint(clientId, listenerExecutor);
  }

  void dropStreamMessagesWhen(BiPredicate<String, byte[]> drop) {
    deliverStream = drop.negate();
  }

  void dropStateChunksWhen(BiPredicate<String, byte[]> drop) {
    deliverChunk = drop.negate();
  }

  void duplicateStreamMessagesWhen(BiPredicate<String, byte[]> duplicate) {
    duplicateStream = duplicate;
  }

  /** Completes once everything handed in so far was delivered. */
  CompletableFuture<Void> drained() {
    return CompletableFuture.runAsync(() -> {}, delivery);
  }

  @Override
  public void close() {
    delivery.shutdownNow();
  }

  final class Endpoint implements ReplicationTransport {
    private final String clientId;
    private final Executor listenerExecutor;
    private volatile Listener listener;
    private volatile boolean connected;

    private Endpoint(String clientId, Executor listenerExecutor) {
      this.clientId = clientId;
      this.listenerExecutor = listenerExecutor;
    }

    String clientId() {
      return clientId;
    }

    @Override
    public void start(Listener listener, byte[] presence) {
      this.listener = listener;
      delivery.execute(
          () -> {
            endpoints.add(this);
            presences.forEach(
                (member, payload) -> handOver(() -> listener.onPresence(member, payload)));
            presences.put(clientId, presence);
            for (Endpoint endpoint : endpoints) {
              endpoint.handOver(() -> endpoint.listener.onPresence(clientId, presence));
            }
            connected = true;
            handOver(() -> listener.onConnected(true, false));
          });
    }

    @Override
    public CompletableFuture<Void> publish(byte[] payload) {
      if (!connected) {
        return CompletableFuture.failedFuture(
            new PublishRefusedException(new IllegalStateException("not connected")));
      }
      return CompletableFuture.runAsync(
          () -> {
            for (Endpoint endpoint : List.copyOf(endpoints)) {
              if (deliverStream.test(endpoint.clientId, payload)) {
                endpoint.handOver(() -> endpoint.listener.onStreamMessage(payload));
                if (duplicateStream.test(endpoint.clientId, payload)) {
                  endpoint.handOver(() -> endpoint.listener.onStreamMessage(payload));
                }
              }
            }
          },
          delivery);
    }

    @Override
    public CompletableFuture<Void> sendState(String replyTopic, byte[] payload) {
      return CompletableFuture.runAsync(
          () -> {
            for (Endpoint endpoint : List.copyOf(endpoints)) {
              if (endpoint.replyTopic().equals(replyTopic)
                  && deliverChunk.test(endpoint.clientId, payload)) {
                endpoint.handOver(() -> endpoint.listener.onStateChunk(payload));
              }
            }
          },
          delivery);
    }

    @Override
    public String replyTopic() {
      return "reply/" + clientId;
    }

    @Override
    public boolean isConnected() {
      return connected;
    }

    /** Leaves (or crashes): gone from the stream, and its presence cleared for everyone. */
    @Override
    public void close() {
      connected = false;
      delivery.execute(
          () -> {
            endpoints.remove(this);
            presences.remove(clientId);
            for (Endpoint endpoint : endpoints) {
              endpoint.handOver(() -> endpoint.listener.onPresence(clientId, new byte[0]));
            }
          });
    }

    private void handOver(Runnable call) {
      listenerExecutor.execute(call);
    }
  }
}
