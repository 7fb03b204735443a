package kvs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM files in the shapes openssl makes them, and each mistake's one-line reason. */
class TlsFilesTest {
  @TempDir static Path dir;

  @BeforeAll
  static void makeCertificates() throws Exception {
    Process script =
        new ProcessBuilder("bash", "../scripts/dev-certs.sh", dir.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(script.getInputStream().readAllBytes());
    assertTrue(script.waitFor(60, TimeUnit.SECONDS) && script.exitValue() == 0, output);
  }

  @Test
  void aCertificateWithItsKeyAndACaAreUsable() throws IOException {
    List<String> warnings = new ArrayList<>();
    assertNotNull(
        TlsFiles.identity(dir.resolve("server.pem"), dir.resolve("server.key"), warnings::add));
    assertNotNull(TlsFiles.trust(dir.resolve("ca.pem")));
    assertEquals(List.of(), warnings, "the script makes keys readable by their owner only");
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() {
    IOException e =
        assertThrows(
            IOException.class,
            () -> TlsFiles.identity(dir.resolve("server.pem"), dir.resolve("client.key"), w -> {}));
    assertEquals(
        dir.resolve("client.key")
            + ": this private key does not belong to the certificate in "
            + dir.resolve("server.pem"),
        e.getMessage());
  }

  @Test
  void aTraditionalRsaKeyIsRefusedWithTheCommandThatConvertsIt() throws Exception {
    Path rsa = dir.resolve("rsa.key");
    Process openssl =
        new ProcessBuilder("openssl", "genrsa", "-traditional", "-out", rsa.toString(), "2048")
            .redirectErrorStream(true)
            .start();
    openssl.getInputStream().readAllBytes();
    assertEquals(0, openssl.waitFor());
    IOException e =
        assertThrows(
            IOException.class, () -> TlsFiles.identity(dir.resolve("server.pem"), rsa, w -> {}));
    assertTrue(
        e.getMessage().contains("a RSA PRIVATE KEY, not an unencrypted PKCS#8"), e.getMessage());
    assertTrue(e.getMessage().contains("openssl pkcs8 -topk8 -nocrypt -in " + rsa), e.getMessage());
  }

  @Test
  void aFileWithoutCertificatesOrMissingIsNamed() {
    IOException notPem =
        assertThrows(IOException.class, () -> TlsFiles.trust(dir.resolve("server.key")));
    assertEquals(
        dir.resolve("server.key") + ": no PEM certificate in it (-----BEGIN CERTIFICATE-----)",
        notPem.getMessage());
    IOException missing =
        assertThrows(IOException.class, () -> TlsFiles.trust(dir.resolve("nothing.pem")));
    assertEquals(dir.resolve("nothing.pem") + ": no such file", missing.getMessage());
  }

  @Test
  void aKeyOthersMayReadIsUsedWithAWarning() throws IOException {
    Path key = dir.resolve("shared.key");
    Files.copy(dir.resolve("client.key"), key);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    List<String> warnings = new ArrayList<>();
    assertNotNull(TlsFiles.identity(dir.resolve("client.pem"), key, warnings::add));
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("chmod 600 " + key), warnings.get(0));
  }
}
