package kvs.proto;

import java.util.Locale;
import java.util.Optional;

/**
 * Says in words what a connection that failed in its TLS handshake (or for want of one) means, so
 * that a plaintext client of a TLS server, or a client without the certificate a server asks for,
 * reads the fix instead of a Netty pipeline. Recognized from the transport's exception chain; the
 * client library and the benchmark both say it.
 */
public final class ConnectionTrouble {

  private ConnectionTrouble() {}

  /**
   * What went wrong and what to do, or empty when {@code failure} is not about TLS.
   *
   * @param failure a failed call's exception, with its causes
   * @return one line, or empty
   */
  public static Optional<String> explain(Throwable failure) {
    StringBuilder chain = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      chain.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
    }
    String text = chain.toString().toLowerCase(Locale.ROOT);
    if (text.contains("not an ssl/tls record")) {
      return Optional.of("the server does not serve TLS; connect to it without the TLS options");
    }
    if (text.contains("certificate_required")) {
      return Optional.of(
          "the server requires a client certificate (--tls-cert and --tls-key,"
              + " or tlsClientCertificate(...))");
    }
    if (text.contains("no subject alternative") || text.contains("no name matching")) {
      return Optional.of(
          "the server's certificate is not valid for this host name; use a name it lists");
    }
    if (text.contains("pkix path") || text.contains("certificate_verify_failed")) {
      return Optional.of(
          "the server's certificate is not signed by a CA this client trusts"
              + " (--tls-ca FILE, or tlsCa(...))");
    }
    if (text.contains("alert_unknown_ca")
        || text.contains("alert_bad_certificate")
        || text.contains("alert_certificate_unknown")) {
      return Optional.of("the server did not accept this client's certificate");
    }
    if (text.contains("network closed for unknown reason")
        || (text.contains("connection reset by peer") && text.contains("recvaddress"))) {
      return Optional.of(
          "the server closed the connection at once; if it serves TLS, connect with TLS"
              + " (--tls-ca FILE or --tls, or tlsCa(...))");
    }
    return Optional.empty();
  }
}
