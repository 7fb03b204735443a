package kvs.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import kvs.server.testing.RawMqttClient;
import kvs.testing.Eventually;
import kvs.testing.MosquittoBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the replication design rests on: one Mosquitto delivers the messages of one topic, from
 * several concurrent publishers, to every subscriber in the same order. MQTT itself promises order
 * only per publisher, so this checks the broker we use.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BrokerOrderIT {
  private static final int PUBLISHERS = 3;
  private static final int SUBSCRIBERS = 3;
  private static final int MESSAGES_PER_PUBLISHER = 3000;
  private static final int IN_FLIGHT = 16;

  @Test
  void everySubscriberReceivesConcurrentPublishesInOneOrder() throws Exception {
    String topic = "order-test/" + UUID.randomUUID();
    try (MosquittoBroker broker = MosquittoBroker.start()) {
      List<RawMqttClient> subscribers = new ArrayList<>();
      List<RawMqttClient> publishers = new ArrayList<>();
      try {
        for (int i = 0; i < SUBSCRIBERS; i++) {
          subscribers.add(new RawMqttClient(broker).subscribe(topic));
        }
        for (int i = 0; i < PUBLISHERS; i++) {
          publishers.add(new RawMqttClient(broker));
        }
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
          done.add(publishAll(publishers.get(p), topic, "p" + p));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        int total = PUBLISHERS * MESSAGES_PER_PUBLISHER;
        for (RawMqttClient subscriber : subscribers) {
          Eventually.await(
              Duration.ofSeconds(30),
              total + " messages delivered",
              () -> subscriber.received().size() >= total);
        }
        List<String> first = asText(subscribers.get(0).received());
        assertEquals(total, first.size());
        for (RawMqttClient subscriber : subscribers) {
          assertEquals(first, asText(subscriber.received()), "same order on every subscriber");
        }
      } finally {
        subscribers.forEach(RawMqttClient::close);
        publishers.forEach(RawMqttClient::close);
      }
    }
  }

  /** Publishes with up to IN_FLIGHT QoS 1 messages outstanding, on the client's async API. */
  private static CompletableFuture<Void> publishAll(
      RawMqttClient publisher, String topic, String name) {
    return CompletableFuture.runAsync(
        () -> {
          java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(IN_FLIGHT);
          List<CompletableFuture<?>> sent = new ArrayList<>();
          for (int n = 0; n < MESSAGES_PER_PUBLISHER; n++) {
            window.acquireUninterruptibly();
            sent.add(
                publisher
                    .client()
                    .toAsync()
                    .publishWith()
                    .topic(topic)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload((name + "-" + n).getBytes(UTF_8))
                    .send()
                    .whenComplete((r, e) -> window.release()));
          }
          CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
        });
  }

  private static List<String> asText(List<byte[]> payloads) {
    return payloads.stream().map(p -> new String(p, UTF_8)).toList();
  }
}
