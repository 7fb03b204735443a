package kvs.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Answers a usage error with one line ({@code PROGRAM: what was wrong}), picocli's suggestions for
 * a mistyped option, the synopsis and where to read more: no stack trace, no full help. Exits with
 * the command's exit code for invalid input.
 */
public final class UsageErrorHandler implements IParameterExceptionHandler {
  private final String program;
  private final String helpPrefix;

  /**
   * @param program what the error line starts with, such as {@code kvs}
   * @param helpPrefix what comes before the command's qualified name in the hint, such as {@code
   *     ./} (for {@code ./client.sh --help}) or {@code ./client.sh } (for {@code ./client.sh bench
   *     --help})
   */
  public UsageErrorHandler(String program, String helpPrefix) {
    this.program = program;
    this.helpPrefix = helpPrefix;
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(cmd.getColorScheme().errorText(program + ": " + ex.getMessage()));
    UnmatchedArgumentException.printSuggestions(ex, err);
    err.print(cmd.getHelp().fullSynopsis());
    err.printf(
        "Try '%s%s --help' for more information.%n",
        helpPrefix, cmd.getCommandSpec().qualifiedName());
    err.flush();
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }
}
