package kvs.server.replication;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * Recognizes the broker's answers that mean "not you, not here" (wrong credentials, a topic the ACL
 * denies, a TLS handshake that cannot succeed) and says each in one line naming the broker and the
 * user. Retrying would not change them, unlike a broker that is down.
 */
final class BrokerRefusal {
  private static final Set<Mqtt5ConnAckReasonCode> REFUSED_CONNECTS =
      Set.of(
          Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD,
          Mqtt5ConnAckReasonCode.NOT_AUTHORIZED,
          Mqtt5ConnAckReasonCode.BANNED,
          Mqtt5ConnAckReasonCode.BAD_AUTHENTICATION_METHOD,
          Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);

  private BrokerRefusal() {}

  /** A refused connection: its CONNACK, or a TLS handshake that failed. */
  static Optional<String> of(Throwable failure, BrokerAddress broker, BrokerCredentials who) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof Mqtt5ConnAckException connAck
          && REFUSED_CONNECTS.contains(connAck.getMqttMessage().getReasonCode())) {
        return Optional.of(
            "The broker at "
                + broker
                + " refused to let "
                + who
                + " connect ("
                + reason(connAck.getMqttMessage().getReasonCode().name())
                + "); check the user name and password");
      }
      if (cause instanceof SSLException) {
        return Optional.of(
            "The TLS handshake with the broker at "
                + broker
                + " failed ("
                + cause.getMessage()
                + "); check --broker-ca, and the broker's certificate and name");
      }
    }
    return Optional.empty();
  }

  /** A publish the broker refused because {@code who} may not publish on {@code topic}. */
  static Optional<String> ofPublish(
      Throwable failure, BrokerAddress broker, BrokerCredentials who, String topic) {
    if (failure instanceof Mqtt5PubAckException pubAck
        && pubAck.getMqttMessage().getReasonCode() == Mqtt5PubAckReasonCode.NOT_AUTHORIZED) {
      return Optional.of(denied(broker, who, "publish on", topic));
    }
    return Optional.empty();
  }

  /** A subscription the broker refused because {@code who} may not read {@code topic}. */
  static Optional<String> ofSubscribe(
      Mqtt5SubAck subAck, BrokerAddress broker, BrokerCredentials who, String topic) {
    return subAck.getReasonCodes().contains(Mqtt5SubAckReasonCode.NOT_AUTHORIZED)
        ? Optional.of(denied(broker, who, "subscribe to", topic + " (or its subtopics)"))
        : Optional.empty();
  }

  private static String denied(
      BrokerAddress broker, BrokerCredentials who, String action, String topic) {
    return "The broker at "
        + broker
        + " does not let "
        + who
        + " "
        + action
        + " "
        + topic
        + "; its ACL must let KVS servers read and write the topic and its subtopics";
  }

  /** {@code BAD_USER_NAME_OR_PASSWORD} as {@code bad user name or password}. */
  private static String reason(String code) {
    return code.toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
  }
}
