package io.tapnfs.nfs.mount;

import java.io.IOException;

/** An exports(5) file that cannot be used: the message is {@code source:line: what is wrong}. */
public final class ExportsException extends IOException {
  private static final long serialVersionUID = 1L;
  private final String source;
  private final int line;

  public ExportsException(String source, int line, String message) {
    super(source + ":" + line + ": " + message);
    this.source = source;
    this.line = line;
  }

  /** The file name (or "--export", or whatever the caller called the text). */
  public String source() { return source; }

  /** 1-based line number; for a line continued with {@code \}, its first physical line. */
  public int line() { return line; }
}
