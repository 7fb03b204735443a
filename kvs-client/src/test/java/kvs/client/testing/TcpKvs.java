package kvs.client.testing;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/** Services on a real TCP port chosen by the system, on 127.0.0.1. */
public final class TcpKvs implements AutoCloseable {

  private final Server server;

  private TcpKvs(Server server) {
    this.server = server;
  }

  public static TcpKvs start(ServerServiceDefinition... services) {
    var builder = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create());
    for (ServerServiceDefinition service : services) {
      builder.addService(service);
    }
    try {
      return new TcpKvs(builder.build().start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return server.getPort();
  }

  /** {@code 127.0.0.1:port}. */
  public String target() {
    return "127.0.0.1:" + port();
  }

  /**
   * Stops as a server process does on SIGTERM: no new calls, calls in flight get up to 2 s to
   * finish, then the port refuses connections.
   */
  public void stop() throws InterruptedException {
    server.shutdown();
    if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
      kill();
    }
  }

  /**
   * Stops at once: calls in flight are cancelled (the client sees CANCELLED, which is not retried),
   * open connections are closed.
   */
  public void kill() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
