package kvs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line: help, validation, unreachable targets. No server needed. */
@Timeout(60)
class BenchCommandTest {

  @Test
  void helpListsEveryWorkloadSystemAndExitCode() {
    BenchRun run = BenchRun.of("--help");
    assertEquals(0, run.exitCode());
    for (Workload workload : Workload.values()) {
      assertTrue(
          run.out().contains("  " + workload.label() + " "),
          workload.label() + " in\n" + run.out());
      assertTrue(
          run.out().contains("./client.sh bench " + workload.label()),
          "an example of " + workload.label());
    }
    for (String text :
        new String[] {
          "kvs",
          "etcd",
          "echo",
          "echo-server",
          "Exit codes:",
          "--json",
          "--rate",
          "--warmup",
          "kvs-min-position"
        }) {
      assertTrue(run.out().contains(text), text + " in\n" + run.out());
    }
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''                                          | missing WORKLOAD",
        "nope -p 9000                                | 'nope' is not a workload",
        "insere                                      | no target",
        "insere -p 9000 --key-size 2                 | --key-size must be at least 3",
        "insere -p 9000 --value-size 1               | --value-size must be at least 3",
        "insere -p 9000 -n 10 -d 1s                  | give -n or -d, not both",
        "insere -p 9000 -c 0                         | -c must be at least 1",
        "insere -t nohost                            | is not HOST:PORT",
        "insere -p 70000                             | port 70000",
        "lag -p 9000                                 | lag needs two targets",
        "snapshot -s etcd -p 2379                    | cannot run on etcd",
        "insere-varias -s echo -p 9100               | cannot run on echo",
        "mixed -p 9000 --read-ratio 1.5              | --read-ratio must be between 0 and 1",
        "insere -p 9000 --preload                    | --preload is for consulta, mixed and snapshot",
        "consulta -p 9000 --keys 100000 --key-size 4 | holds only 10000 distinct keys",
        "insere -p 9000 -s redis                     | 'redis' is not a system",
        "insere -p 9000 -d soon                      | 'soon' is not a duration"
      })
  void aUsageErrorIsOneLineAndExitTwo(String args, String message) {
    BenchRun run = BenchRun.of(args.isBlank() ? new String[0] : args.trim().split("\\s+"));
    assertEquals(BenchCommand.EXIT_USAGE, run.exitCode(), run.err());
    assertTrue(run.errorLine().startsWith("kvs-bench: "), run.err());
    assertTrue(run.errorLine().contains(message), "'" + message + "' in " + run.err());
    assertFalse(run.err().contains("\tat "), "no stack trace: " + run.err());
    assertEquals("", run.out());
  }

  @Test
  void anUnreachableTargetIsOneLineAndExitThree() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort(); // closed again: nothing listens there
    }
    BenchRun run = BenchRun.of("insere", "-p", Integer.toString(port), "-n", "10");
    assertEquals(BenchCommand.EXIT_UNREACHABLE, run.exitCode(), run.err());
    assertEquals(1, run.err().lines().count(), run.err());
    assertTrue(
        run.errorLine()
            .startsWith("kvs-bench: 127.0.0.1:" + port + " does not answer as kvs: UNAVAILABLE"),
        run.err());
    assertEquals("", run.out());
  }
}
