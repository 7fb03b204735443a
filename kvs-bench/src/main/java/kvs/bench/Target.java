package kvs.bench;

import java.util.ArrayList;
import java.util.List;

/** One server the benchmark sends requests to. */
record Target(String host, int port) {

  Target {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("empty host");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port " + port + " is not between 1 and 65535");
    }
  }

  /**
   * Parses {@code host:port} ({@code [::1]:9000} for an IPv6 address).
   *
   * @throws IllegalArgumentException with a message fit for the user
   */
  static Target parse(String text) {
    String trimmed = text.trim();
    int colon = trimmed.lastIndexOf(':');
    if (colon <= 0 || colon == trimmed.length() - 1) {
      throw new IllegalArgumentException("'" + text + "' is not HOST:PORT");
    }
    String host = trimmed.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      return new Target(host, Integer.parseInt(trimmed.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (bad port)");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "': " + e.getMessage());
    }
  }

  /** The targets of {@code -t h1:p1,h2:p2} or of {@code -a host -p p1,p2}. */
  static List<Target> of(List<String> hostPorts, String host, List<Integer> ports) {
    List<Target> targets = new ArrayList<>();
    for (String hostPort : hostPorts) {
      targets.add(parse(hostPort));
    }
    for (int port : ports) {
      targets.add(new Target(host, port));
    }
    return List.copyOf(targets);
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
