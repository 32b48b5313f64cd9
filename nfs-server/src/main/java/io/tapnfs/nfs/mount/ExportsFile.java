package io.tapnfs.nfs.mount;

import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.ipv4.Ipv4Cidr;
import io.tapnfs.nfs.vfs.ClientAccess;
import io.tapnfs.nfs.vfs.ClientAccess.Squash;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parser for the exports(5) file of Linux knfsd, the subset a server without DNS can honour.
 *
 * <pre>
 *   # comment                                     blank lines and '#' to end of line are ignored
 *   /srv/share   10.0.0.5(rw,no_root_squash) 10.0.0.0/24(ro) *(ro,all_squash)
 *   "/srv/with space"  -rw  10.1.0.0/255.255.0.0 \
 *                      10.2.0.1(ro)              '\' at the end of a line continues it
 *   /srv/public                                   no client: '*' with the defaults
 * </pre>
 *
 * <ul>
 * <li>Path: absolute, optionally in double quotes, at most {@value #MAX_PATH_BYTES} bytes of UTF-8
 *     (MNTPATHLEN, RFC 1813 Appendix I); repeated and trailing slashes are dropped; "." and ".."
 *     components are refused (knfsd resolves them with realpath(3); we do not guess).
 * <li>Clients: an IPv4 address, an IPv4 network ({@code a.b.c.d/n} or {@code a.b.c.d/m.m.m.m},
 *     contiguous mask; host bits are cleared), {@code *}, or just {@code (options)}, which like
 *     knfsd means {@code *} (the exports(5) pitfall {@code host (rw)}). Host names, netgroups,
 *     wildcards, IPv6 and gss/ are errors: we resolve no names.
 * <li>{@code -options} after the path: defaults for the rest of that line (exports(5)).
 * <li>Options: rw, ro, root_squash, no_root_squash, all_squash, no_all_squash, anonuid=N,
 *     anongid=N (0..4294967294: 4294967295 is (uid_t) -1, which knfsd refuses), secure (calls
 *     from source ports 1024 and up are refused), insecure, sec=sys. Later options override
 *     earlier ones. Defaults as exports(5): ro, root_squash, no_all_squash,
 *     anonuid=anongid=65534, secure. What they mean for a call:
 *     {@link io.tapnfs.nfs.vfs.AccessPolicy}.
 * <li>For the backend, per client and seen export-wide through {@link ExportRule#sync} and
 *     {@link ExportRule#fsid}: sync (the default) and async; fsid=N, a number 0..4294967295
 *     (exports(5)'s {@code root} and UUID forms are errors). The clients of one path may not give
 *     different fsids (an error naming the line); fsids unique across exports:
 *     {@link ExportTable#check}.
 * <li>Accepted and ignored ({@link #IGNORED}), knfsd tuning that does not change who may do
 *     what here: no_subtree_check, subtree_check, wdelay, no_wdelay and crossmnt (a Vfs never
 *     crosses file systems).
 * <li>Everything else, and sec= with any flavor but sys, is an error naming the line.
 * <li>Lines naming the same path are merged in file order (knfsd allows that too).
 * <li>Bounded: {@value #MAX_FILE_BYTES} bytes, {@value #MAX_LINE_CHARS} characters per logical
 *     line, {@value #MAX_EXPORTS} paths, {@value #MAX_CLIENTS} clients per path.
 * </ul>
 *
 * <p>Which rule a client gets: see {@link ExportRule#access}.
 */
public final class ExportsFile {
  public static final int MAX_FILE_BYTES = 1 << 20;
  public static final int MAX_LINE_CHARS = 64 * 1024;
  public static final int MAX_EXPORTS = 1024;
  public static final int MAX_CLIENTS = 256;
  /** MNTPATHLEN, RFC 1813 Appendix I: "Maximum bytes in a path name". */
  public static final int MAX_PATH_BYTES = 1024;
  /** knfsd options we accept and ignore. */
  public static final Set<String> IGNORED = Set.of("no_subtree_check", "subtree_check", "wdelay", "no_wdelay", "crossmnt");

  private ExportsFile() {}

  /** Reads and parses {@code file} (UTF-8). A syntax error is an {@link ExportsException}. */
  public static List<ExportRule> read(Path file) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    }
    if (bytes.length > MAX_FILE_BYTES) throw new ExportsException(file.toString(), 1, "file larger than " + MAX_FILE_BYTES + " bytes");
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new ExportsException(file.toString(), 1, "not UTF-8 text");
    }
    return parse(text, file.toString());
  }

  /** Parses exports(5) text; {@code source} names it in error messages. */
  public static List<ExportRule> parse(String text, String source) throws ExportsException {
    if (text.length() > MAX_FILE_BYTES) throw new ExportsException(source, 1, "text longer than " + MAX_FILE_BYTES + " characters");
    Map<String, List<ClientRule>> byPath = new LinkedHashMap<>();
    Map<String, int[]> fsids = new HashMap<>();   // path -> {fsid, line that gave it}
    String[] physical = text.split("\r?\n", -1);
    StringBuilder logical = new StringBuilder();
    int first = 0;
    for (int i = 0; i < physical.length; i++) {
      String l = physical[i];
      if (logical.length() == 0) first = i + 1;
      boolean continued = l.endsWith("\\");
      logical.append(continued ? l.substring(0, l.length() - 1) + " " : l);
      if (logical.length() > MAX_LINE_CHARS) throw new ExportsException(source, first, "line longer than " + MAX_LINE_CHARS + " characters");
      if (continued && i + 1 < physical.length) continue;
      line(logical.toString(), source, first, byPath, fsids);
      logical.setLength(0);
    }
    List<ExportRule> out = new ArrayList<>(byPath.size());
    for (Map.Entry<String, List<ClientRule>> e : byPath.entrySet()) out.add(new ExportRule(e.getKey(), e.getValue()));
    return List.copyOf(out);
  }

  private static void line(String text, String source, int n, Map<String, List<ClientRule>> byPath, Map<String, int[]> fsids)
      throws ExportsException {
    List<String> tokens = tokens(text, source, n);
    if (tokens.isEmpty()) return;
    String path;
    try {
      path = normalizePath(tokens.get(0));
    } catch (IllegalArgumentException e) {
      throw new ExportsException(source, n, e.getMessage());
    }
    Options defaults = new Options();
    List<ClientRule> clients = new ArrayList<>();
    for (String t : tokens.subList(1, tokens.size())) {
      if (t.startsWith("-")) {
        if (!clients.isEmpty()) throw new ExportsException(source, n, "default options '" + t + "' must come before the clients");
        options(t.substring(1), defaults, source, n);
        continue;
      }
      int open = t.indexOf('(');
      String who = open < 0 ? t : t.substring(0, open);
      Options o = defaults.copy();
      if (open >= 0) {
        if (!t.endsWith(")") || t.indexOf(')') != t.length() - 1 || t.indexOf('(', open + 1) >= 0)
          throw new ExportsException(source, n, "bad option list in '" + t + "' (no spaces inside the parentheses)");
        options(t.substring(open + 1, t.length() - 1), o, source, n);
      }
      clients.add(o.rule(who.isEmpty() ? ClientMatch.ANYONE : client(who, source, n)));
    }
    if (clients.isEmpty()) clients.add(defaults.rule(ClientMatch.ANYONE));
    for (ClientRule c : clients) {
      if (c.fsid() == null) continue;
      int[] had = fsids.putIfAbsent(path, new int[] {c.fsid(), n});
      if (had != null && had[0] != c.fsid())
        throw new ExportsException(source, n, "fsid=" + Integer.toUnsignedString(c.fsid()) + " for " + path + " differs from fsid="
            + Integer.toUnsignedString(had[0]) + (had[1] == n ? " earlier on this line" : " on line " + had[1]));
    }
    List<ClientRule> all = byPath.get(path);
    if (all == null) {
      if (byPath.size() >= MAX_EXPORTS) throw new ExportsException(source, n, "more than " + MAX_EXPORTS + " exports");
      byPath.put(path, all = new ArrayList<>());
    }
    if (all.size() + clients.size() > MAX_CLIENTS) throw new ExportsException(source, n, "more than " + MAX_CLIENTS + " clients for " + path);
    all.addAll(clients);
  }

  /** Splits on blanks; double quotes group (and are removed); '#' outside quotes ends the line. */
  private static List<String> tokens(String text, String source, int n) throws ExportsException {
    List<String> out = new ArrayList<>();
    StringBuilder t = null;
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"') quoted = false;
        else t.append(c);
      } else if (c == '#') {
        break;
      } else if (c == '"') {
        quoted = true;
        if (t == null) t = new StringBuilder();
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
        if (t != null) out.add(t.toString());
        t = null;
      } else {
        if (t == null) t = new StringBuilder();
        t.append(c);
      }
    }
    if (quoted) throw new ExportsException(source, n, "unterminated quote");
    if (t != null) out.add(t.toString());
    return out;
  }

  private static ClientMatch client(String s, String source, int n) throws ExportsException {
    if (s.equals("*")) return ClientMatch.ANYONE;
    String why;
    if (s.startsWith("@")) why = "netgroups are not supported";
    else if (s.startsWith("gss/")) why = "gss/ clients are not supported (sec=sys only)";
    else if (s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0) why = "host name wildcards are not supported (tapnfs does no DNS)";
    else if (s.indexOf(':') >= 0) why = "IPv6 clients are not supported";
    else if (s.indexOf('/') >= 0) return network(s, source, n);
    else if (s.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
      try {
        return new ClientMatch.Host(Ipv4Address.parse(s));
      } catch (IllegalArgumentException e) {
        throw new ExportsException(source, n, e.getMessage());
      }
    } else why = "host names are not supported (tapnfs does no DNS): write an IPv4 address or a network like 10.0.0.0/24";
    throw new ExportsException(source, n, "client '" + s + "': " + why);
  }

  private static ClientMatch network(String s, String source, int n) throws ExportsException {
    int slash = s.indexOf('/');
    String addr = s.substring(0, slash), len = s.substring(slash + 1);
    try {
      Ipv4Address a = Ipv4Address.parse(addr);
      int prefix;
      if (!len.isEmpty() && len.length() <= 2 && len.chars().allMatch(c -> c >= '0' && c <= '9')) {
        prefix = Integer.parseInt(len);
        if (prefix > 32) throw new IllegalArgumentException("prefix length " + prefix + " > 32");
      } else {
        int m = Ipv4Address.parse(len).bits();
        prefix = Integer.bitCount(m);
        if (m != (prefix == 0 ? 0 : -1 << (32 - prefix))) throw new IllegalArgumentException("netmask " + len + " is not contiguous");
      }
      return new ClientMatch.Network(new Ipv4Cidr(a, prefix));
    } catch (IllegalArgumentException e) {
      throw new ExportsException(source, n, "client '" + s + "': " + e.getMessage());
    }
  }

  /** Mutable while a client's options are read. */
  private static final class Options {
    boolean rw, rootSquash = true, allSquash, secure = true, sync = true;
    Integer fsid;
    int anonUid = 65534, anonGid = 65534;

    Options copy() {
      Options o = new Options();
      o.rw = rw;
      o.rootSquash = rootSquash;
      o.allSquash = allSquash;
      o.anonUid = anonUid;
      o.anonGid = anonGid;
      o.secure = secure;
      o.sync = sync;
      o.fsid = fsid;
      return o;
    }

    ClientRule rule(ClientMatch who) {
      return new ClientRule(who, new ClientAccess(rw, allSquash ? Squash.ALL : rootSquash ? Squash.ROOT : Squash.NONE, anonUid,
          anonGid, secure), sync, fsid);
    }
  }

  private static void options(String list, Options o, String source, int n) throws ExportsException {
    if (list.isEmpty()) return;
    for (String opt : list.split(",", -1)) {
      int eq = opt.indexOf('=');
      String key = eq < 0 ? opt : opt.substring(0, eq), value = eq < 0 ? null : opt.substring(eq + 1);
      if (key.isEmpty()) throw new ExportsException(source, n, "empty option in '" + list + "'");
      boolean flag = value == null;
      switch (key) {
        case "rw" -> o.rw = true;
        case "ro" -> o.rw = false;
        case "root_squash" -> o.rootSquash = true;
        case "no_root_squash" -> o.rootSquash = false;
        case "all_squash" -> o.allSquash = true;
        case "no_all_squash" -> o.allSquash = false;
        case "secure" -> o.secure = true;
        case "insecure" -> o.secure = false;
        case "sync" -> o.sync = true;
        case "async" -> o.sync = false;
        case "anonuid" -> { o.anonUid = id(key, value, source, n); flag = true; }
        case "anongid" -> { o.anonGid = id(key, value, source, n); flag = true; }
        case "sec" -> {
          if (value == null || value.isEmpty()) throw new ExportsException(source, n, "sec= needs a flavor");
          for (String f : value.split(":", -1)) {
            if (!f.equals("sys")) throw new ExportsException(source, n, "sec=" + f + " is not supported (sec=sys only)");
          }
          flag = true;
        }
        case "fsid" -> {
          o.fsid = fsid(value, source, n);
          flag = true;
        }
        default -> {
          if (!IGNORED.contains(key)) throw new ExportsException(source, n, "unknown option '" + opt + "'");
        }
      }
      if (!flag) throw new ExportsException(source, n, "option '" + key + "' takes no value");
    }
  }

  /** fsid=N: 0..4294967295, held as an int. exports(5) also takes "root" and a UUID; we do not. */
  private static int fsid(String value, String source, int n) throws ExportsException {
    if (value == null || value.isEmpty()) throw new ExportsException(source, n, "fsid= needs a value");
    if (value.length() <= 10 && value.chars().allMatch(c -> c >= '0' && c <= '9') && Long.parseLong(value) <= 0xffffffffL)
      return (int) Long.parseLong(value);
    throw new ExportsException(source, n, "fsid=" + value + ": only a number 0..4294967295 is supported"
        + (value.equals("root") ? " (fsid=root marks NFSv4's pseudo root; no NFSv4 here)" : " (not a UUID)"));
  }

  /** anonuid/anongid: 0..4294967294; (uid_t) -1 is no id, and knfsd refuses an export with it. */
  private static int id(String key, String value, String source, int n) throws ExportsException {
    if (value == null || value.isEmpty() || value.length() > 10 || !value.chars().allMatch(c -> c >= '0' && c <= '9'))
      throw new ExportsException(source, n, key + "= needs a number 0..4294967294, got '" + value + "'");
    long v = Long.parseLong(value);
    if (v > 0xffffffffL) throw new ExportsException(source, n, key + "=" + value + " is larger than 4294967294");
    if (v == 0xffffffffL) throw new ExportsException(source, n, key + "=" + value + " is (uid_t) -1, no id (knfsd refuses it too)");
    return (int) v;
  }

  /**
   * An export path as tapnfs keys it: absolute, no repeated or trailing slash ("/" stays "/"), no
   * "." or ".." component, no NUL, at most {@value #MAX_PATH_BYTES} bytes of UTF-8.
   *
   * @throws IllegalArgumentException saying which rule it breaks
   */
  public static String normalizePath(String p) {
    if (!p.startsWith("/")) throw new IllegalArgumentException("export path '" + p + "' is not absolute");
    if (p.indexOf('\0') >= 0) throw new IllegalArgumentException("export path contains NUL");
    if (p.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES)
      throw new IllegalArgumentException("export path longer than " + MAX_PATH_BYTES + " bytes");
    StringBuilder b = new StringBuilder();
    for (String c : p.split("/")) {
      if (c.isEmpty()) continue;
      if (c.equals(".") || c.equals("..")) throw new IllegalArgumentException("export path '" + p + "' has a '" + c + "' component");
      b.append('/').append(c);
    }
    return b.length() == 0 ? "/" : b.toString();
  }

  /** The options of {@code a} as exports(5) spells them. */
  static String options(ClientAccess a) {
    String squash = switch (a.squash()) {
      case NONE -> "no_root_squash";
      case ROOT -> "root_squash";
      case ALL -> "all_squash";
    };
    return (a.readWrite() ? "rw" : "ro") + "," + squash + ",anonuid=" + Integer.toUnsignedString(a.anonUid())
        + ",anongid=" + Integer.toUnsignedString(a.anonGid()) + (a.secure() ? ",secure" : ",insecure");
  }

  /** {@code p}, in double quotes if it has a blank, '#' or quote-worthy character. */
  static String quote(String p) {
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == ' ' || c == '\t' || c == '#' || c == '(' || c == '\\') return "\"" + p + "\"";
    }
    return p;
  }
}
