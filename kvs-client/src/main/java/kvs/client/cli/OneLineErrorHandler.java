package kvs.client.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Answers what a command did not expect with one line instead of a stack trace: an argument the
 * client library refused (IllegalArgumentException) is a usage error, anything else an error.
 */
final class OneLineErrorHandler implements IExecutionExceptionHandler {
  private final int usageExit;
  private final int errorExit;

  /** Exits {@code usageExit} for a refused argument, {@code errorExit} for anything else. */
  OneLineErrorHandler(int usageExit, int errorExit) {
    this.usageExit = usageExit;
    this.errorExit = errorExit;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    PrintWriter err = cmd.getErr();
    boolean usage = ex instanceof IllegalArgumentException;
    String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    err.println(cmd.getColorScheme().errorText("kvs: " + (usage ? message : "unexpected error: " + message)));
    if (usage) {
      err.printf("Try './%s --help' for more information.%n", cmd.getCommandSpec().qualifiedName());
    }
    err.flush();
    return usage ? usageExit : errorExit;
  }
}
