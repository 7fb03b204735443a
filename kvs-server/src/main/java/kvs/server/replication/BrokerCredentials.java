package kvs.server.replication;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Who this server is to the broker, and whom it trusts there: a user name and password (MQTT's
 * simple authentication), and for a TLS broker the CA to trust (else the system's) and a client
 * certificate to present. {@link #toString()} never shows the password.
 *
 * @param user the user name, or null to connect anonymously
 * @param password the password (with a user), or null for none
 * @param trust the CA of a TLS broker's certificate, or null for the system's CAs
 * @param identity our client certificate for a TLS broker, or null for none
 */
public record BrokerCredentials(
    String user, byte[] password, TrustManagerFactory trust, KeyManagerFactory identity) {
  /** Anonymous; the system's CAs for a TLS broker. */
  public static final BrokerCredentials NONE = new BrokerCredentials(null, null, null, null);

  public BrokerCredentials {
    if (password != null && user == null) {
      throw new IllegalArgumentException("a broker password needs a user name");
    }
    password = password == null ? null : password.clone();
  }

  /** Whether something here only a TLS broker can use was given. */
  public boolean hasTlsSettings() {
    return trust != null || identity != null;
  }

  /** {@code user 'NAME' with a password}, {@code anonymous}...; never the password. */
  @Override
  public String toString() {
    if (user == null) {
      return "anonymous";
    }
    return "user '" + user + "'" + (password != null ? " with a password" : " without a password");
  }
}
