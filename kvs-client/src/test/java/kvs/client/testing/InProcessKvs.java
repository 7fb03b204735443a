package kvs.client.testing;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/** KVS services on grpc-java's in-process transport, with a channel to them; closes both. */
public final class InProcessKvs implements AutoCloseable {

  private final Server server;
  private final ManagedChannel channel;

  private InProcessKvs(Server server, ManagedChannel channel) {
    this.server = server;
    this.channel = channel;
  }

  /** Starts {@code services} on one server under a unique name and opens a channel to it. */
  public static InProcessKvs start(BindableService... services) {
    String name = InProcessServerBuilder.generateName();
    try {
      InProcessServerBuilder builder = InProcessServerBuilder.forName(name).directExecutor();
      for (BindableService service : services) {
        builder.addService(service);
      }
      Server server = builder.build().start();
      return new InProcessKvs(server, InProcessChannelBuilder.forName(name).build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The channel to the service; owned by this object. */
  public ManagedChannel channel() {
    return channel;
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
