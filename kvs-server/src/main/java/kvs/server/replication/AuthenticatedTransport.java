package kvs.server.replication;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kvs.core.replication.MessageAuthentication;
import kvs.core.replication.MessageAuthentication.Accepted;
import kvs.core.replication.MessageAuthentication.Opened;
import kvs.core.replication.MessageAuthentication.Rejected;

/**
 * Seals what this server sends with the cluster key and lets through only what opens with one (see
 * {@link MessageAuthentication}): the stream's messages and the state chunks sent to us. What does
 * not open is counted and dropped here, before anything reads it. Presence is not sealed: it only
 * says who is live, never what the data is.
 */
public final class AuthenticatedTransport implements ReplicationTransport {
  private final ReplicationTransport inner;
  private final String streamTopic;
  private final MessageAuthentication keys;
  private final Rejections rejections;
  private static final Pattern ORIGIN =
      Pattern.compile("\"(?:origin|from)\":\"([^\"\\\\]{1,100})\"");

  public AuthenticatedTransport(
      ReplicationTransport inner,
      String streamTopic,
      MessageAuthentication keys,
      Rejections rejections) {
    this.inner = inner;
    this.streamTopic = streamTopic;
    this.keys = keys;
    this.rejections = rejections;
  }

  @Override
  public void start(Listener listener, byte[] presence) {
    inner.start(
        new Listener() {
          @Override
          public void onStreamMessage(byte[] payload) {
            byte[] message = open(streamTopic, payload);
            if (message != null) {
              listener.onStreamMessage(message);
            }
          }

          @Override
          public void onStateChunk(byte[] payload) {
            byte[] message = open(inner.replyTopic(), payload);
            if (message != null) {
              listener.onStateChunk(message);
            }
          }

          @Override
          public void onConnected(boolean firstConnect, boolean sessionResumed) {
            listener.onConnected(firstConnect, sessionResumed);
          }

          @Override
          public void onPresence(String member, byte[] payload) {
            listener.onPresence(member, payload);
          }
        },
        presence);
  }

  // The message, or null when it was rejected (and counted).
  private byte[] open(String topic, byte[] payload) {
    Opened opened = keys.open(topic, payload);
    if (opened instanceof Accepted accepted) {
      return accepted.message();
    }
    rejections.reject(claimedOrigin(payload), ((Rejected) opened).reason());
    return null;
  }

  // Who the message says it is from, for the log only (not to be believed): its "origin" or
  // "from" field among its first bytes, without decoding what may be megabytes of garbage.
  private static String claimedOrigin(byte[] payload) {
    String head = new String(payload, 0, Math.min(payload.length, 512), StandardCharsets.UTF_8);
    Matcher m = ORIGIN.matcher(head);
    return m.find() ? m.group(1) : "an unknown origin";
  }

  @Override
  public CompletableFuture<Void> publish(byte[] payload) {
    return inner.publish(keys.seal(streamTopic, payload));
  }

  @Override
  public CompletableFuture<Void> sendState(String replyTopic, byte[] payload) {
    return inner.sendState(replyTopic, keys.seal(replyTopic, payload));
  }

  @Override
  public String replyTopic() {
    return inner.replyTopic();
  }

  @Override
  public boolean isConnected() {
    return inner.isConnected();
  }

  @Override
  public CompletableFuture<String> refusal() {
    return inner.refusal();
  }

  @Override
  public void close() {
    inner.close();
  }
}
