package kvs.client.internal;

import java.util.Objects;

/**
 * One server address as the caller gave it: a host name or IP address (without brackets) and a
 * port.
 *
 * @param host the host, never blank
 * @param port the port, 1 to 65535
 */
public record HostAndPort(String host, int port) {

  /** Checks the host and the port. */
  public HostAndPort {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host is blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /**
   * Returns an address.
   *
   * @param host a host name or IP address
   * @param port the port, 1 to 65535
   * @return the address
   */
  public static HostAndPort of(String host, int port) {
    return new HostAndPort(host, port);
  }

  /**
   * Parses {@code host:port}, with an IPv6 address in brackets ({@code [::1]:9000}).
   *
   * @param text the address
   * @return the address
   * @throws IllegalArgumentException when {@code text} is not {@code host:port}
   */
  public static HostAndPort parse(String text) {
    Objects.requireNonNull(text, "text");
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("expected host:port, got " + text);
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected host:port, got " + text, e);
    }
    return new HostAndPort(host, port);
  }

  /** The address as an HTTP/2 authority: {@code host:port}, IPv6 hosts in brackets. */
  String authority() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public String toString() {
    return authority();
  }
}
