package kvs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The packaged jar through {@code ./client.sh bench}, as a user runs it. */
@Timeout(60)
class ClientScriptIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern LISTENING = Pattern.compile("listening on port (\\d+)");

  private record Result(int exitCode, String out) {}

  private static Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("client.sh").toString(), "bench"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
  }

  private static Result run(String... args) throws Exception {
    Process process = start(args);
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "ended");
    return new Result(process.exitValue(), out);
  }

  @Test
  void theScriptRunsTheBenchmarkJar() throws Exception {
    assertTrue(
        Files.isRegularFile(ROOT.resolve("kvs-bench/target/kvs-bench.jar")),
        "the jar is built before the ITs");
    Result help = run("--help");
    assertEquals(0, help.exitCode(), help.out());
    assertTrue(help.out().startsWith("Usage: ./client.sh bench WORKLOAD"), help.out());

    Result usage = run("insere", "--key-size", "1", "-p", "9000");
    assertEquals(2, usage.exitCode(), usage.out());
    assertTrue(usage.out().startsWith("kvs-bench: --key-size must be at least 3"), usage.out());
  }

  @Test
  void anEchoServerStartedByTheScriptIsMeasured() throws Exception {
    Process echo = start("echo-server", "0");
    try {
      BufferedReader lines =
          new BufferedReader(new InputStreamReader(echo.getInputStream(), StandardCharsets.UTF_8));
      String line = lines.readLine();
      Matcher port = LISTENING.matcher(String.valueOf(line));
      assertTrue(port.find(), "the echo server says its port: " + line);

      Result result =
          run("insere", "-s", "echo", "-p", port.group(1), "-n", "2000", "--json", "-q");
      assertEquals(0, result.exitCode(), result.out());
      JsonNode json = new ObjectMapper().readTree(result.out());
      assertEquals(2000, json.get("ops").asLong());
      assertEquals("echo", json.get("system").asText());
    } finally {
      echo.destroy(); // SIGTERM: the server stops cleanly
      assertTrue(echo.waitFor(10, TimeUnit.SECONDS), "the echo server stopped on SIGTERM");
    }
  }
}
