package io.tapnfs.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --control} option shared by commands that talk to a running server. */
final class ClientOptions {
  @Option(names = "--control", paramLabel = "PATH",
      description = "Control socket of the server (default: the one socket in /run/tapnfs/).")
  Path control;

  Path socket() throws IOException { return control != null ? control : ControlPaths.findOne(); }
}
