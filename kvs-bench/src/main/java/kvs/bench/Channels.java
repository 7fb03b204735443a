package kvs.bench;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Netty channel per target, plaintext or TLS. Answers are handled on the transport's own
 * threads (direct executor): the benchmark's callbacks never block, so a hop to another thread
 * would only add client cost to every figure.
 */
final class Channels implements AutoCloseable {
  private final List<ManagedChannel> channels;

  private Channels(List<ManagedChannel> channels) {
    this.channels = channels;
  }

  static Channels open(List<Target> targets, ChannelCredentials credentials) {
    List<ManagedChannel> channels = new ArrayList<>();
    for (Target target : targets) {
      channels.add(
          NettyChannelBuilder.forAddress(target.host(), target.port(), credentials)
              .directExecutor()
              .build());
    }
    return new Channels(List.copyOf(channels));
  }

  ManagedChannel get(int index) {
    return channels.get(index);
  }

  /** Shuts every channel down: calls in flight get 5 s, then they are cancelled. */
  @Override
  public void close() {
    channels.forEach(ManagedChannel::shutdown);
    try {
      for (ManagedChannel channel : channels) {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      channels.forEach(ManagedChannel::shutdownNow);
    }
  }
}
