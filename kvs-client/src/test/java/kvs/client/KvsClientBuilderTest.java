package kvs.client;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.inprocess.InProcessChannelBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KvsClientBuilderTest {

  @Test
  void needsATargetOrAChannel() {
    assertThrows(IllegalStateException.class, () -> KvsClient.builder().build());
  }

  @Test
  void refusesBothATargetAndAChannel() {
    var channel = InProcessChannelBuilder.forName("unused").build();
    try {
      KvsClientBuilder builder = KvsClient.builder().target("127.0.0.1", 9000).channel(channel);

      assertThrows(IllegalStateException.class, builder::build);
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void acceptsHostAndPortInOneString() {
    assertDoesNotThrow(() -> KvsClient.builder().target("127.0.0.1:9000").build().close());
    assertDoesNotThrow(() -> KvsClient.builder().target("[::1]:9000").build().close());
  }

  @Test
  void refusesMalformedTargets() {
    KvsClientBuilder builder = KvsClient.builder();

    assertThrows(IllegalArgumentException.class, () -> builder.target("127.0.0.1"));
    assertThrows(IllegalArgumentException.class, () -> builder.target("127.0.0.1:"));
    assertThrows(IllegalArgumentException.class, () -> builder.target("127.0.0.1:porta"));
    assertThrows(IllegalArgumentException.class, () -> builder.target("127.0.0.1", 0));
    assertThrows(IllegalArgumentException.class, () -> builder.target("127.0.0.1", 65536));
    assertThrows(IllegalArgumentException.class, () -> builder.target(" ", 9000));
  }

  @Test
  void refusesANonPositiveDeadline() {
    KvsClientBuilder builder = KvsClient.builder();

    assertThrows(IllegalArgumentException.class, () -> builder.deadline(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> builder.deadline(Duration.ofSeconds(-1)));
  }
}
