package io.tapnfs.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code tapnfs stat}: counters and tables of a running server. */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Show interface and protocol counters, drops, ARP table, routes and sockets of a running server.")
final class StatCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Override public Integer call() throws Exception {
    System.out.print(ControlClient.request(client.socket(), "stat"));
    return 0;
  }
}
