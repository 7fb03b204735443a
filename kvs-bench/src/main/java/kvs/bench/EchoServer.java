package kvs.bench;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The lifecycle of the echo server ({@link EchoService}): built from a {@link ServerBuilder} (a TCP
 * port in production, anything in tests), with handlers run on the transport threads (they never
 * block).
 */
final class EchoServer implements AutoCloseable {
  private final Server server;

  EchoServer(ServerBuilder<?> builder) {
    this.server = builder.directExecutor().addService(new EchoService()).build();
  }

  /** Starts listening; fails when the port is taken. */
  EchoServer start() throws IOException {
    server.start();
    return this;
  }

  /** The port it listens on (the one chosen when built with port 0). */
  int port() {
    return server.getPort();
  }

  /** Waits until it has stopped. */
  void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops: no new calls, running ones get {@code grace}, then they are cancelled. */
  void stop(Duration grace) {
    server.shutdown();
    try {
      server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      server.shutdownNow();
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(1));
  }
}
