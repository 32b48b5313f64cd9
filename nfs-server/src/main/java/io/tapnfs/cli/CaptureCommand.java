package io.tapnfs.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tapnfs capture start FILE | stop}: switch the pcap capture of a running server. */
@Command(name = "capture", mixinStandardHelpOptions = true,
    description = "Start or stop capturing every frame in and out of a running server to a pcap file.")
final class CaptureCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Parameters(index = "0", paramLabel = "start|stop") String action;

  @Parameters(index = "1", arity = "0..1", paramLabel = "FILE") Path file;

  @Option(names = "--max-bytes", paramLabel = "N", description = "Size cap of the file (default ${DEFAULT-VALUE}).")
  long maxBytes = ServeCommand.DEFAULT_PCAP_MAX;

  @Override public Integer call() throws Exception {
    String cmd = switch (action) {
      case "start" -> {
        if (file == null) throw new IllegalArgumentException("capture start needs a FILE");
        yield "capture start " + file.toAbsolutePath() + " " + maxBytes;
      }
      case "stop" -> "capture stop";
      default -> throw new IllegalArgumentException("capture takes start or stop, not '" + action + "'");
    };
    System.out.print(ControlClient.request(client.socket(), cmd));
    return 0;
  }
}
