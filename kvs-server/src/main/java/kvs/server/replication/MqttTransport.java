package kvs.server.replication;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.exceptions.MqttClientStateException;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientConnectedContext;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import io.reactivex.schedulers.Schedulers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replication stream on one topic of an MQTT broker, through the HiveMQ client: QoS 1, stable
 * client ids with persistent sessions (a short disconnect loses nothing the broker still holds),
 * automatic reconnect with backoff. Everything received is handed to the listener through the given
 * executor, which must run one task at a time, so the broker's order is kept; a {@link
 * StreamExecutor} runs it on the receiving connection's own thread.
 *
 * <p>Two connections: one receives (id {@code CLIENT-ID}), one publishes ({@code CLIENT-ID-pub}).
 * Mosquitto leaves Nagle's algorithm on by default, so on a single connection the delivery of our
 * own message waited behind the PUBACK the broker had just sent us until our kernel's delayed ACK
 * fired: milliseconds per write. Apart, the receiving connection carries deliveries (each answered
 * at once by our PUBACK) and the publishing one our publishes and their PUBACKs, so no delivery
 * waits behind an ack.
 */
public final class MqttTransport implements ReplicationTransport {
  private static final Logger log = LoggerFactory.getLogger(MqttTransport.class);

  private final BrokerAddress broker;
  private final BrokerCredentials credentials;
  private final String topic;
  private final String replyTopic;
  private final String presenceTopic;
  private final String presencePrefix;
  private final Duration sessionExpiry;
  private final int maxMessageBytes;
  private final Executor listenerExecutor;
  private final Mqtt5AsyncClient client;
  private final Mqtt5AsyncClient publisher;
  private final AtomicBoolean connected = new AtomicBoolean();
  private final AtomicBoolean publisherConnected = new AtomicBoolean();
  // Completes while the publishing connection is up; replaced when it goes down.
  private volatile CompletableFuture<Void> publisherUp = new CompletableFuture<>();
  private final AtomicBoolean everConnected = new AtomicBoolean();
  private final AtomicBoolean warnedWaiting = new AtomicBoolean();
  private final CompletableFuture<String> refusal = new CompletableFuture<>();
  private volatile Listener listener;
  private volatile byte[] presence;

  /**
   * @param clientId stable across restarts of the same server, so its session can be resumed
   * @param maxMessageBytes the largest message we publish: the broker is checked to take it
   * @param listenerExecutor runs every listener call; must run them one at a time, in order
   */
  public MqttTransport(
      BrokerAddress broker,
      BrokerCredentials credentials,
      String topic,
      String clientId,
      Duration sessionExpiry,
      int maxMessageBytes,
      Executor listenerExecutor) {
    this.broker = broker;
    this.credentials = credentials;
    this.topic = topic;
    this.replyTopic = topic + "/state/" + clientId;
    this.presencePrefix = topic + "/presence/";
    this.presenceTopic = presencePrefix + clientId;
    this.sessionExpiry = sessionExpiry;
    this.maxMessageBytes = maxMessageBytes;
    this.listenerExecutor = listenerExecutor;
    this.client =
        newClient(clientId)
            .addConnectedListener(context -> onConnected((Mqtt5ClientConnectedContext) context))
            .addDisconnectedListener(
                context -> {
                  if (context.getSource() != MqttDisconnectSource.USER
                      && !refusedFor(context.getCause())) {
                    onDisconnected(context.getCause());
                  }
                })
            .buildAsync();
    this.publisher =
        newClient(clientId + "-pub")
            // Broker acks complete our publish futures on the client's own thread: a hop to
            // RxJava's computation pool per publish would wake a thread for nothing.
            .executorConfig()
            .applicationScheduler(Schedulers.trampoline())
            .applyExecutorConfig()
            .addConnectedListener(
                context -> {
                  publisherConnected.set(true);
                  publisherUp.complete(null);
                })
            .addDisconnectedListener(
                context -> {
                  if (publisherUp.isDone()) {
                    publisherUp = new CompletableFuture<>();
                  }
                  if (publisherConnected.getAndSet(false)
                      && context.getSource() != MqttDisconnectSource.USER
                      && !refusedFor(context.getCause())) {
                    log.warn(
                        "Lost the publishing connection to the broker at {} ({}); reconnecting",
                        broker,
                        context.getCause().getMessage());
                  }
                })
            .buildAsync();
  }

  private Mqtt5ClientBuilder newClient(String identifier) {
    Mqtt5ClientBuilder builder =
        Mqtt5Client.builder()
            .identifier(identifier)
            .serverHost(broker.host())
            .serverPort(broker.port())
            .automaticReconnect()
            .initialDelay(100, TimeUnit.MILLISECONDS)
            .maxDelay(2, TimeUnit.SECONDS)
            .applyAutomaticReconnect();
    if (broker.tls()) {
      // The broker's name is checked against its certificate (HTTPS-style), as HiveMQ does by
      // default.
      builder =
          builder
              .sslConfig()
              .trustManagerFactory(credentials.trust())
              .keyManagerFactory(credentials.identity())
              .applySslConfig();
    }
    if (credentials.user() != null) {
      var auth = builder.simpleAuth().username(credentials.user());
      builder =
          credentials.password() != null
              ? auth.password(credentials.password()).applySimpleAuth()
              : auth.applySimpleAuth();
    }
    return builder;
  }

  /**
   * Completes, with one line naming the broker and the user, when the broker refuses this server
   * for good: wrong credentials, or a topic it may not use. Trying again would not help, and
   * serving without the stream would only pretend.
   */
  @Override
  public CompletableFuture<String> refusal() {
    return refusal;
  }

  /** Whether {@code cause} is a refusal; if so, {@link #refusal()} says it. */
  private boolean refusedFor(Throwable cause) {
    return BrokerRefusal.of(cause, broker, credentials).map(refusal::complete).isPresent();
  }

  @Override
  public void start(Listener listener, byte[] presence) {
    this.listener = listener;
    this.presence = presence.clone();
    // Registered before connecting, so a resumed session's queued messages are not missed.
    client.publishes(
        MqttGlobalPublishFilter.ALL,
        publish -> {
          byte[] payload = publish.getPayloadAsBytes();
          String from = publish.getTopic().toString();
          if (from.equals(topic)) {
            safely(() -> listener.onStreamMessage(payload));
          } else if (from.equals(replyTopic)) {
            safely(() -> listener.onStateChunk(payload));
          } else if (from.startsWith(presencePrefix)) {
            safely(() -> listener.onPresence(from.substring(presencePrefix.length()), payload));
          }
        },
        listenerExecutor);
    // The publisher's session keeps a publish in flight across a short disconnect, to be sent
    // again.
    connect(publisher.connectWith());
    // When this connection dies (a crash, a kill, a network cut), the broker clears our presence.
    connect(
        client
            .connectWith()
            .willPublish()
            .topic(presenceTopic)
            .qos(MqttQos.AT_LEAST_ONCE)
            .retain(true)
            .applyWillPublish());
  }

  private void connect(Mqtt5ConnectBuilder.Send<CompletableFuture<Mqtt5ConnAck>> connect) {
    connect
        .cleanStart(false)
        .sessionExpiryInterval(sessionExpiry.toSeconds())
        .send()
        .whenComplete(
            (connAck, error) -> {
              if (error != null && !refusedFor(error)) {
                warnWaiting(error);
              }
            });
  }

  @Override
  public CompletableFuture<Void> publish(byte[] payload) {
    return send(topic, payload);
  }

  @Override
  public CompletableFuture<Void> sendState(String replyTopic, byte[] payload) {
    return send(replyTopic, payload);
  }

  @Override
  public String replyTopic() {
    return replyTopic;
  }

  @Override
  public boolean isConnected() {
    return connected.get() && publisherConnected.get();
  }

  @Override
  public void close() {
    connected.set(false);
    // Leaving on purpose: say so at once (the Last Will covers only a lost connection). Only when
    // connected: the client's publish blocks its caller while it has never connected.
    if (publisherConnected.get()) {
      try {
        send(presenceTopic, new byte[0], true).get(1, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.debug("Could not clear our presence: {}", e.toString());
      }
    }
    publisherConnected.set(false);
    disconnect(client);
    disconnect(publisher);
  }

  private static void disconnect(Mqtt5AsyncClient mqtt) {
    try {
      mqtt.disconnect().get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("Disconnect from the broker did not complete cleanly: {}", e.toString());
    }
  }

  /**
   * Completes exceptionally with {@link PublishRefusedException} when the broker surely did not
   * take it.
   */
  private CompletableFuture<Void> send(String toTopic, byte[] payload) {
    return send(toTopic, payload, false);
  }

  private CompletableFuture<Void> send(String toTopic, byte[] payload, boolean retain) {
    return publisher
        .publishWith()
        .topic(toTopic)
        .qos(MqttQos.AT_LEAST_ONCE)
        .retain(retain)
        .payload(payload)
        .send()
        .handle(
            (result, failure) -> {
              Throwable error = failure != null ? unwrap(failure) : result.getError().orElse(null);
              if (error == null) {
                return null;
              }
              BrokerRefusal.ofPublish(error, broker, credentials, toTopic)
                  .ifPresent(refusal::complete);
              boolean refused =
                  error instanceof Mqtt5PubAckException
                      || error instanceof MqttClientStateException;
              throw new CompletionException(refused ? new PublishRefusedException(error) : error);
            });
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  private void onConnected(Mqtt5ClientConnectedContext context) {
    boolean sessionResumed = context.getConnAck().isSessionPresent();
    int brokerMaximum = context.getConnAck().getRestrictions().getMaximumPacketSize();
    // A packet is the message plus its topic and a few bytes of header.
    if (brokerMaximum < (long) maxMessageBytes + replyTopic.length() + 64) {
      log.warn(
          "The broker at {} takes packets of at most {} bytes, fewer than --max-message-size ({})"
              + " needs: it would refuse our largest messages; lower --max-message-size",
          broker,
          brokerMaximum,
          maxMessageBytes);
    }
    // Subscribing on every connect covers the first connect and a broker that lost our session.
    client
        .subscribeWith()
        .addSubscription()
        .topicFilter(topic)
        .qos(MqttQos.AT_LEAST_ONCE)
        .applySubscription()
        .addSubscription()
        .topicFilter(replyTopic)
        .qos(MqttQos.AT_LEAST_ONCE)
        .applySubscription()
        .addSubscription()
        .topicFilter(presencePrefix + "+")
        .qos(MqttQos.AT_LEAST_ONCE)
        .applySubscription()
        .send()
        .whenComplete(
            (subAck, failure) -> {
              Throwable error =
                  failure != null
                      ? failure
                      : subAck.getReasonCodes().stream().anyMatch(code -> code.isError())
                          ? new IllegalStateException(
                              "the broker refused: " + subAck.getReasonCodes())
                          : null;
              if (failure == null) {
                BrokerRefusal.ofSubscribe(subAck, broker, credentials, topic)
                    .ifPresent(refusal::complete);
              }
              if (refusal.isDone()) {
                return;
              }
              if (error != null) {
                // Connected but not subscribed would mean deaf: try again shortly.
                log.warn(
                    "Subscribing to topic {} failed ({}); retrying in 1 s",
                    topic,
                    error.toString());
                CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS)
                    .execute(() -> onConnected(context));
                return;
              }
              boolean first = !everConnected.getAndSet(true);
              if (first) {
                log.info("Connected to the broker at {}, topic {}", broker, topic);
              } else {
                log.info(
                    "Reconnected to the broker at {} ({}); writes are accepted again",
                    broker,
                    sessionResumed ? "session resumed" : "session lost");
              }
              // Both connections up first: our presence, then (in CatchUp) our state request,
              // go out on the publishing one, in that order.
              publisherUp.thenRun(
                  () -> {
                    announce();
                    // Connected only once the listener has seen it: a lost session must stop the
                    // server from serving before anyone can take it for connected and caught up.
                    deliver(
                        () -> {
                          listener.onConnected(first, sessionResumed);
                          connected.set(true);
                          warnedWaiting.set(false);
                        });
                  });
            });
  }

  /**
   * Publishes our presence (retained). It must be there while we serve, or a joiner would not wait
   * for our answer: a failed publish is tried again while we stay connected.
   */
  private void announce() {
    send(presenceTopic, presence, true)
        .whenComplete(
            (ok, notSent) -> {
              if (notSent != null && publisherConnected.get() && !refusal.isDone()) {
                log.warn("Publishing our presence failed ({}); trying again", notSent.toString());
                CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)
                    .execute(this::announce);
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
          "Waiting for the MQTT broker at {} ({}). Until it is reachable this server cannot catch"
              + " up or accept writes. Start one with 'mosquitto -p {}' (Debian: apt-get install"
              + " mosquitto). Retrying in the background.",
          broker,
          cause.getMessage(),
          broker.port());
    }
  }

  private void deliver(Runnable call) {
    listenerExecutor.execute(() -> safely(call));
  }

  private static void safely(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException | Error e) {
      // The MQTT client would swallow it silently; the stream must go on.
      log.error("Handling a replication event failed; skipped", e);
    }
  }
}
