package io.tapnfs.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code tapnfs set name=value}: change a stack setting at run time. */
@Command(name = "set", mixinStandardHelpOptions = true,
    description = "Change a stack setting of a running server (see 'tapnfs serve --list-sysctls').")
final class SetCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Parameters(paramLabel = "NAME=VALUE") String assignment;

  @Override public Integer call() throws Exception {
    System.out.print(ControlClient.request(client.socket(), "set " + assignment));
    return 0;
  }
}
