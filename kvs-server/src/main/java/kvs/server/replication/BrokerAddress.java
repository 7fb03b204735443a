package kvs.server.replication;

import java.net.URI;
import java.net.URISyntaxException;

/** Where the MQTT broker listens, parsed from {@code tcp://host:port} (or {@code host:port}). */
public record BrokerAddress(String host, int port) {
  public static final int DEFAULT_PORT = 1883;

  /** Parses {@code text}; throws {@link IllegalArgumentException} with a readable reason. */
  public static BrokerAddress parse(String text) {
    String withScheme = text.contains("://") ? text : "tcp://" + text;
    URI uri;
    try {
      uri = new URI(withScheme);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a broker URI: " + text);
    }
    if (!"tcp".equals(uri.getScheme()) && !"mqtt".equals(uri.getScheme())) {
      throw new IllegalArgumentException(
          "unsupported broker scheme '" + uri.getScheme() + "' (use tcp://host:port): " + text);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("no host in broker URI: " + text);
    }
    return new BrokerAddress(uri.getHost(), uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort());
  }

  @Override
  public String toString() {
    return "tcp://" + host + ":" + port;
  }
}
