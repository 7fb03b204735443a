package kvs.cli;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * The TLS options of the two clients ({@code client.sh} and {@code client.sh bench}), as a picocli
 * mixin: whom to trust, and which certificate to present to a server that asks for one.
 */
public final class TlsClientOptions {

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      defaultValue = "${env:KVS_TLS_CA}",
      description =
          "Connect with TLS, trusting servers whose certificate the CA in FILE (PEM) signed (env KVS_TLS_CA).")
  Path ca;

  @Option(
      names = "--tls",
      defaultValue = "${env:KVS_TLS:-false}",
      description =
          "Connect with TLS, trusting the system's CAs (env KVS_TLS=true). Implied by the other --tls options.")
  boolean systemTrust;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      defaultValue = "${env:KVS_TLS_CERT}",
      description =
          "With TLS: present this client certificate (PEM), for servers started with --tls-client-ca (env KVS_TLS_CERT). Needs --tls-key.")
  Path certificate;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      defaultValue = "${env:KVS_TLS_KEY}",
      description = "The private key of --tls-cert (PKCS#8 PEM, unencrypted; env KVS_TLS_KEY).")
  Path key;

  /** Whether any option asks for TLS. */
  public boolean enabled() {
    return systemTrust || ca != null || certificate != null || key != null;
  }

  /**
   * The credentials the options ask for: plaintext unless one of them is given.
   *
   * @param warn hears, in one line, if others may read the key file
   * @throws IllegalArgumentException with a one-line reason, naming the option and the file
   */
  public ChannelCredentials credentials(Consumer<String> warn) {
    if (!enabled()) {
      return InsecureChannelCredentials.create();
    }
    if ((certificate == null) != (key == null)) {
      throw new IllegalArgumentException(
          certificate == null ? "--tls-key needs --tls-cert" : "--tls-cert needs --tls-key");
    }
    TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
    try {
      if (ca != null) {
        tls.trustManager(TlsFiles.trust(ca).getTrustManagers());
      }
      if (certificate != null) {
        tls.keyManager(TlsFiles.identity(certificate, key, warn).getKeyManagers());
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    return tls.build();
  }
}
