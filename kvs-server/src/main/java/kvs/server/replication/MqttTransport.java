package kvs.server.replication;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replication stream on one topic of an MQTT broker, through the HiveMQ client: QoS 1, a
 * stable client id, automatic reconnect with backoff. Received messages are handed over on one
 * dedicated thread, so they keep the broker's order.
 */
public final class MqttTransport implements ReplicationTransport {
  private static final Logger log = LoggerFactory.getLogger(MqttTransport.class);

  private final BrokerAddress broker;
  private final String topic;
  private final Mqtt5AsyncClient client;
  private final ExecutorService receiveExecutor =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread thread = new Thread(r, "kvs-apply");
            thread.setDaemon(true);
            return thread;
          });
  private final AtomicBoolean connected = new AtomicBoolean();
  private final AtomicBoolean everConnected = new AtomicBoolean();
  private final AtomicBoolean warnedWaiting = new AtomicBoolean();

  public MqttTransport(BrokerAddress broker, String topic, String clientId) {
    this.broker = broker;
    this.topic = topic;
    this.client =
        Mqtt5Client.builder()
            .identifier(clientId)
            .serverHost(broker.host())
            .serverPort(broker.port())
            .automaticReconnect()
            .initialDelay(100, TimeUnit.MILLISECONDS)
            .maxDelay(2, TimeUnit.SECONDS)
            .applyAutomaticReconnect()
            .addConnectedListener(context -> onConnected())
            .addDisconnectedListener(
                context -> {
                  if (context.getSource() != MqttDisconnectSource.USER) {
                    onDisconnected(context.getCause());
                  }
                })
            .buildAsync();
  }

  @Override
  public void start(Consumer<byte[]> receiver) {
    // Registered before connecting, so nothing delivered right after the connect is missed.
    client.publishes(
        MqttGlobalPublishFilter.SUBSCRIBED,
        publish -> deliver(receiver, publish.getPayloadAsBytes()),
        receiveExecutor);
    client
        .connectWith()
        .cleanStart(true)
        .sessionExpiryInterval(60)
        .send()
        .whenComplete(
            (connAck, error) -> {
              if (error != null) {
                warnWaiting(error);
              }
            });
  }

  @Override
  public CompletableFuture<Void> publish(byte[] payload) {
    return client
        .publishWith()
        .topic(topic)
        .qos(MqttQos.AT_LEAST_ONCE)
        .payload(payload)
        .send()
        .thenApply(MqttTransport::requireSuccess);
  }

  @Override
  public boolean isConnected() {
    return connected.get();
  }

  @Override
  public void close() {
    connected.set(false);
    try {
      client.disconnect().get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("Disconnect from the broker did not complete cleanly: {}", e.toString());
    } finally {
      receiveExecutor.shutdown();
    }
  }

  private void onConnected() {
    // Subscribing on every connect covers the first connect and a broker that lost our session.
    client
        .subscribeWith()
        .topicFilter(topic)
        .qos(MqttQos.AT_LEAST_ONCE)
        .send()
        .whenComplete(
            (subAck, error) -> {
              if (error != null) {
                log.warn("Subscribing to topic {} failed: {}", topic, error.toString());
                return;
              }
              connected.set(true);
              warnedWaiting.set(false);
              if (everConnected.getAndSet(true)) {
                log.info("Reconnected to the broker at {}; writes are accepted again", broker);
              } else {
                log.info("Connected to the broker at {}, topic {}", broker, topic);
              }
            });
  }

  private void onDisconnected(Throwable cause) {
    boolean wasConnected = connected.getAndSet(false);
    if (wasConnected) {
      warnedWaiting.set(true);
      log.warn(
          "Lost the broker at {} ({}); reconnecting in the background, writes answer -1 meanwhile",
          broker,
          cause.getMessage());
    } else {
      warnWaiting(cause);
    }
  }

  private void warnWaiting(Throwable cause) {
    if (!warnedWaiting.getAndSet(true)) {
      log.warn(
          "Waiting for the MQTT broker at {} ({}). Reads are served; writes answer -1 until it is"
              + " reachable. Start one with 'mosquitto -p {}' (Debian: apt-get install mosquitto)."
              + " Retrying in the background.",
          broker,
          cause.getMessage(),
          broker.port());
    }
  }

  private static void deliver(Consumer<byte[]> receiver, byte[] payload) {
    try {
      receiver.accept(payload);
    } catch (RuntimeException | Error e) {
      // The MQTT client would swallow it silently; the stream must go on.
      log.error("Applying a replication message failed; skipped", e);
    }
  }

  private static Void requireSuccess(Mqtt5PublishResult result) {
    result
        .getError()
        .ifPresent(
            error -> {
              throw new java.util.concurrent.CompletionException(error);
            });
    return null;
  }
}
