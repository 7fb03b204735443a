package kvs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class ErrorHandlersTest {
  @Command(
      name = "tool.sh",
      mixinStandardHelpOptions = true,
      versionProvider = ErrorHandlersTest.ToolVersion.class)
  static final class Tool implements Callable<Integer> {
    @Option(names = "--wait", converter = Durations.Positive.class)
    Duration wait = Duration.ofSeconds(1);

    @Option(names = "--fail")
    String fail;

    @Override
    public Integer call() {
      if ("refused".equals(fail)) {
        throw new IllegalArgumentException("host is blank");
      }
      if ("broken".equals(fail)) {
        throw new IllegalStateException("no channel");
      }
      return 0;
    }
  }

  static final class ToolVersion extends VersionProvider {
    ToolVersion() {
      super("tool");
    }
  }

  private record Run(int exitCode, List<String> out, List<String> err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine command =
        new CommandLine(new Tool())
            .setParameterExceptionHandler(new UsageErrorHandler("tool", "./"))
            .setExecutionExceptionHandler(new OneLineErrorHandler("tool", "./", 2, 4));
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    int exit = command.execute(args);
    return new Run(exit, out.toString().lines().toList(), err.toString().lines().toList());
  }

  @Test
  void aUsageErrorIsOneLineTheSynopsisAndAHint() {
    Run run = run("--wait", "soon");

    assertEquals(2, run.exitCode());
    assertTrue(
        run.err()
            .get(0)
            .startsWith("tool: Invalid value for option '--wait': 'soon' is not a duration"),
        run.err().get(0));
    assertEquals(
        "Try './tool.sh --help' for more information.", run.err().get(run.err().size() - 1));
    assertTrue(run.err().stream().noneMatch(l -> l.contains("Exception")), run.err().toString());
  }

  @Test
  void aMistypedOptionGetsASuggestion() {
    Run run = run("--wiat", "1s");

    assertEquals(2, run.exitCode());
    assertTrue(run.err().stream().anyMatch(l -> l.contains("--wait")), run.err().toString());
  }

  @Test
  void whatALibraryRefusesIsAUsageErrorAndAnythingElseAnErrorEachInOneLine() {
    Run refused = run("--fail", "refused");
    Run broken = run("--fail", "broken");

    assertEquals(2, refused.exitCode());
    assertEquals(
        List.of("tool: host is blank", "Try './tool.sh --help' for more information."),
        refused.err());
    assertEquals(4, broken.exitCode());
    assertEquals(List.of("tool: unexpected error: no channel"), broken.err());
  }

  @Test
  void theVersionComesFromTheBuild() {
    Run run = run("--version");

    assertEquals(0, run.exitCode());
    assertEquals(List.of("tool " + VersionProvider.version()), run.out());
    assertTrue(
        VersionProvider.version().matches("\\d+\\.\\d+\\.\\d+.*"), VersionProvider.version());
  }
}
