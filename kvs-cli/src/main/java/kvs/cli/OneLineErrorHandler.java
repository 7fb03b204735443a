package kvs.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Answers what a command did not expect with one line instead of a stack trace: an argument a
 * library refused (IllegalArgumentException) is a usage error, anything else an error.
 */
public final class OneLineErrorHandler implements IExecutionExceptionHandler {
  private final String program;
  private final String helpPrefix;
  private final int usageExit;
  private final int errorExit;

  /**
   * @param program what the line starts with, such as {@code kvs}
   * @param helpPrefix as for {@link UsageErrorHandler}
   * @param usageExit the exit code for a refused argument
   * @param errorExit the exit code for anything else
   */
  public OneLineErrorHandler(String program, String helpPrefix, int usageExit, int errorExit) {
    this.program = program;
    this.helpPrefix = helpPrefix;
    this.usageExit = usageExit;
    this.errorExit = errorExit;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    PrintWriter err = cmd.getErr();
    boolean usage = ex instanceof IllegalArgumentException;
    String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    err.println(
        cmd.getColorScheme()
            .errorText(program + ": " + (usage ? message : "unexpected error: " + message)));
    if (usage) {
      err.printf(
          "Try '%s%s --help' for more information.%n",
          helpPrefix, cmd.getCommandSpec().qualifiedName());
    }
    err.flush();
    return usage ? usageExit : errorExit;
  }
}
