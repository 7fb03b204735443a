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
  void acceptsSeveralTargetsAndRefusesAnyMalformedOne() {
    assertDoesNotThrow(
        () ->
            KvsClient.builder()
                .targets("127.0.0.1:9000, localhost:9001,[::1]:9002")
                .build()
                .close());

    KvsClientBuilder builder = KvsClient.builder();
    assertThrows(IllegalArgumentException.class, () -> builder.targets("127.0.0.1:9000,"));
    assertThrows(IllegalArgumentException.class, () -> builder.targets("127.0.0.1:9000,nohost"));
    assertThrows(IllegalArgumentException.class, () -> builder.target("a:1,b:2"));
  }

  @Test
  void refusesOutOfRangeRetryAndKeepAliveSettings() {
    KvsClientBuilder builder = KvsClient.builder();

    assertThrows(IllegalArgumentException.class, () -> builder.maxAttempts(0));
    assertThrows(IllegalArgumentException.class, () -> builder.maxAttempts(6));
    assertThrows(
        IllegalArgumentException.class,
        () -> builder.keepAlive(Duration.ZERO, Duration.ofSeconds(1)));
    assertDoesNotThrow(
        () ->
            KvsClient.builder()
                .target("127.0.0.1:9000")
                .maxAttempts(1)
                .retryWrites(false)
                .readYourWrites(false)
                .keepAlive(Duration.ofMinutes(5), Duration.ofSeconds(20))
                .build()
                .close());
  }

  @Test
  void refusesANonPositiveDeadline() {
    KvsClientBuilder builder = KvsClient.builder();

    assertThrows(IllegalArgumentException.class, () -> builder.deadline(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> builder.deadline(Duration.ofSeconds(-1)));
  }
}
