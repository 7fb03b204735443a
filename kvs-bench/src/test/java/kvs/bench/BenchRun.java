package kvs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine;

/** One run of the command in this JVM, with what it printed. */
record BenchRun(int exitCode, String out, String err) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The fields every JSON line has. */
  static final List<String> COMMON_FIELDS =
      List.of(
          "workload",
          "system",
          "targets",
          "concurrency",
          "rate_per_s",
          "warmup_s",
          "keys",
          "key_size",
          "value_size",
          "ops",
          "errors",
          "error_kinds",
          "first_error",
          "not_found",
          "duration_s",
          "ops_per_s",
          "p50_ms",
          "p90_ms",
          "p99_ms",
          "max_ms");

  static BenchRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine command = BenchCommand.newCommandLine();
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));
    int exitCode = command.execute(args);
    return new BenchRun(exitCode, out.toString(), err.toString());
  }

  /** The run's JSON line, after checking the run succeeded and printed exactly one line. */
  JsonNode json() {
    assertEquals(0, exitCode, "exit code; stderr: " + err);
    String[] lines = out.strip().split("\n");
    assertEquals(1, lines.length, "one JSON line: " + out);
    try {
      JsonNode json = JSON.readTree(lines[0]);
      for (String field : COMMON_FIELDS) {
        assertTrue(json.has(field), "field " + field + " in " + lines[0]);
      }
      return json;
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + out, e);
    }
  }

  /** Checks the percentiles of {@code prefix}p50_ms ... are there and ordered, and returns p50. */
  static double saneLatencies(JsonNode json, String prefix) {
    double p50 = json.get(prefix + "p50_ms").asDouble();
    double p90 = json.get(prefix + "p90_ms").asDouble();
    double p99 = json.get(prefix + "p99_ms").asDouble();
    double max = json.get(prefix + "max_ms").asDouble();
    assertTrue(p50 > 0, prefix + "p50 > 0 in " + json);
    assertTrue(
        p50 <= p90 && p90 <= p99 && p99 <= max, prefix + "p50 <= p90 <= p99 <= max in " + json);
    assertTrue(max < 60_000, prefix + "max below 60 s in " + json);
    return p50;
  }

  /** The one-line message of a usage error. */
  String errorLine() {
    return err.lines().findFirst().orElse("");
  }
}
