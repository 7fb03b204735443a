package kvs.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads the PEM files of TLS (a CA to trust; a certificate chain and its private key) into the
 * JDK's key and trust managers, which gRPC and the MQTT client both take. Everything is checked at
 * start, in words that name the file: a key that does not belong to its certificate would otherwise
 * only show as failed handshakes.
 */
public final class TlsFiles {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
  private static final char[] NO_PASSWORD = new char[0];

  private TlsFiles() {}

  /**
   * Trust managers that accept certificates signed by the CA (or CAs) in {@code caFile}.
   *
   * @throws IOException with a one-line reason naming the file
   */
  public static TrustManagerFactory trust(Path caFile) throws IOException {
    List<X509Certificate> cas = certificates(caFile);
    try {
      KeyStore store = emptyStore();
      for (int i = 0; i < cas.size(); i++) {
        store.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory;
    } catch (GeneralSecurityException e) {
      throw new IOException(caFile + ": cannot use it as a CA (" + e.getMessage() + ")");
    }
  }

  /**
   * Key managers that present the certificate chain of {@code certificateFile} with the private key
   * of {@code keyFile} (PKCS#8 PEM, unencrypted), after checking that the key belongs to the
   * certificate; {@code warn} hears if others may read the key file.
   *
   * @throws IOException with a one-line reason naming the file
   */
  public static KeyManagerFactory identity(
      Path certificateFile, Path keyFile, Consumer<String> warn) throws IOException {
    List<X509Certificate> chain = certificates(certificateFile);
    PrivateKey key = privateKey(keyFile, warn);
    if (!belongTogether(key, chain.get(0).getPublicKey())) {
      throw new IOException(
          keyFile + ": this private key does not belong to the certificate in " + certificateFile);
    }
    try {
      KeyStore store = emptyStore();
      store.setKeyEntry("identity", key, NO_PASSWORD, chain.toArray(new Certificate[0]));
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, NO_PASSWORD);
      return factory;
    } catch (GeneralSecurityException e) {
      throw new IOException(
          certificateFile + ": cannot use it with its key (" + e.getMessage() + ")");
    }
  }

  private static List<X509Certificate> certificates(Path file) throws IOException {
    String text = read(file);
    StringBuilder pem = new StringBuilder();
    Matcher block = PEM.matcher(text);
    while (block.find()) {
      if (block.group(1).equals("CERTIFICATE")) {
        pem.append(block.group()).append('\n');
      }
    }
    if (pem.length() == 0) {
      throw new IOException(file + ": no PEM certificate in it (-----BEGIN CERTIFICATE-----)");
    }
    try {
      return CertificateFactory.getInstance("X.509")
          .generateCertificates(
              new ByteArrayInputStream(pem.toString().getBytes(StandardCharsets.US_ASCII)))
          .stream()
          .map(X509Certificate.class::cast)
          .toList();
    } catch (CertificateException e) {
      throw new IOException(file + ": not a valid certificate (" + e.getMessage() + ")");
    }
  }

  private static PrivateKey privateKey(Path file, Consumer<String> warn) throws IOException {
    SecretFiles.checkPermissions(file, warn);
    Matcher block = PEM.matcher(read(file));
    if (!block.find()) {
      throw new IOException(file + ": no PEM private key in it (-----BEGIN PRIVATE KEY-----)");
    }
    String type = block.group(1);
    if (!type.equals("PRIVATE KEY")) {
      throw new IOException(
          file
              + ": a "
              + type
              + ", not an unencrypted PKCS#8 PRIVATE KEY; convert it with: openssl pkcs8 -topk8"
              + " -nocrypt -in "
              + file);
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(block.group(2).strip());
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": the private key is not valid base64");
    }
    for (String algorithm : new String[] {"EC", "RSA", "Ed25519", "Ed448"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // Not this algorithm: try the next.
      }
    }
    throw new IOException(file + ": not an EC, RSA or EdDSA private key that Java can read");
  }

  /** Whether {@code key} signs what {@code publicKey} verifies. */
  private static boolean belongTogether(PrivateKey key, PublicKey publicKey) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> key.getAlgorithm();
        };
    try {
      byte[] probe =
          "kvs: does this key belong to this certificate?".getBytes(StandardCharsets.UTF_8);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // for example an EC key with an RSA certificate
    }
  }

  private static String read(Path file) throws IOException {
    try {
      return SecretFiles.read(file, line -> {});
    } catch (IOException e) {
      throw new IOException(file + ": " + e.getMessage());
    }
  }

  private static KeyStore emptyStore() throws GeneralSecurityException {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      return store;
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
  }
}
