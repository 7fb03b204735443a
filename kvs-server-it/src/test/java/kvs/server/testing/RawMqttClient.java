package kvs.server.testing;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import kvs.testing.MosquittoBroker;

/** A plain MQTT client for tests: publishes raw payloads, records what it receives, in order. */
public final class RawMqttClient implements AutoCloseable {
  private final Mqtt5BlockingClient client;
  private final List<byte[]> received = new CopyOnWriteArrayList<>();

  public RawMqttClient(MosquittoBroker broker) {
    client =
        Mqtt5Client.builder()
            .identifier("raw-" + UUID.randomUUID())
            .serverHost("127.0.0.1")
            .serverPort(broker.port())
            .buildBlocking();
    client
        .toAsync()
        .publishes(MqttGlobalPublishFilter.SUBSCRIBED, p -> received.add(p.getPayloadAsBytes()));
    client.connect();
  }

  public RawMqttClient subscribe(String topic) {
    client.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
    return this;
  }

  /** Publishes with QoS 1 and waits for the broker's acknowledgement. */
  public void publish(String topic, byte[] payload) {
    client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
  }

  public Mqtt5Client client() {
    return client;
  }

  public List<byte[]> received() {
    return received;
  }

  @Override
  public void close() {
    client.disconnect();
  }
}
