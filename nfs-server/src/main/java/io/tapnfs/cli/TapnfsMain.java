package io.tapnfs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tapnfs}: the one command. Subcommands do the work. */
@Command(name = "tapnfs", mixinStandardHelpOptions = true, version = "tapnfs 0.1.0",
    description = "A whole network host in one process: a TCP/IP stack on a TAP device.",
    subcommands = {ServeCommand.class, StatCommand.class, CaptureCommand.class, SetCommand.class,
        CommandLine.HelpCommand.class})
public final class TapnfsMain implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override public void run() { spec.commandLine().usage(System.err); }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new TapnfsMain());
    // One-line errors for bad input, not stack traces (the brief's rule for user input).
    cl.setExecutionExceptionHandler((ex, c, parse) -> {
      String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
      c.getErr().println("tapnfs " + c.getCommandName() + ": " + msg);
      return 1;
    });
    return cl;
  }
}
