package kvs.server.replication;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where the MQTT broker listens, and whether over TLS: parsed from {@code tcp://host:port} (or
 * {@code mqtt://}, or {@code host:port}), or {@code ssl://host:port} (or {@code mqtts://}) for TLS.
 */
public record BrokerAddress(String host, int port, boolean tls) {
  public static final int DEFAULT_PORT = 1883;
  public static final int DEFAULT_TLS_PORT = 8883;

  /** Parses {@code text}; throws {@link IllegalArgumentException} with a readable reason. */
  public static BrokerAddress parse(String text) {
    String withScheme = text.contains("://") ? text : "tcp://" + text;
    URI uri;
    try {
      uri = new URI(withScheme);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a broker URI: " + text);
    }
    boolean tls =
        switch (String.valueOf(uri.getScheme())) {
          case "tcp", "mqtt" -> false;
          case "ssl", "mqtts" -> true;
          default ->
              throw new IllegalArgumentException(
                  "unsupported broker scheme '"
                      + uri.getScheme()
                      + "' (use tcp://host:port, or ssl://host:port for TLS): "
                      + text);
        };
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("no host in broker URI: " + text);
    }
    int port = uri.getPort() != -1 ? uri.getPort() : tls ? DEFAULT_TLS_PORT : DEFAULT_PORT;
    return new BrokerAddress(uri.getHost(), port, tls);
  }

  @Override
  public String toString() {
    return (tls ? "ssl://" : "tcp://") + host + ":" + port;
  }
}
