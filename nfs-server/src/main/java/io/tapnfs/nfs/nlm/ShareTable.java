package io.tapnfs.nfs.nlm;

import io.tapnfs.nfs.lock.FileKey;
import io.tapnfs.nfs.nlm.xdr.NlmStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DOS share reservations (NLM SHARE / UNSHARE, XNFS §10.14): per file, who has it open how
 * ({@code access}) and what it denies others ({@code mode}), both bit sets of read (1) and write
 * (2). A reservation conflicts with another owner's when its access meets their deny mode or its
 * deny mode meets their access (as Linux's {@code nlmsvc_share_file}); an owner's new SHARE
 * replaces its own. Owners are a client and the {@code oh}. Only NLM sees these: they are not
 * enforced on reads and writes, nor against NFSv4 opens.
 *
 * <p>Bounded: {@code max} reservations in total; past it, DENIED_NOLOCKS. Thread-safe (this
 * object's monitor).
 */
final class ShareTable {
  record Share(String client, byte[] oh, int mode, int access) {
    boolean owner(String c, byte[] o) { return client.equals(c) && Arrays.equals(oh, o); }
  }

  private final int max;
  private final Map<FileKey, List<Share>> files = new HashMap<>();
  private int count;
  private long granted, denied, refused, unshares;

  ShareTable(int max) { this.max = max; }

  /** GRANTED, DENIED (a conflict) or DENIED_NOLOCKS (the bound). */
  synchronized NlmStats share(FileKey file, String client, byte[] oh, int mode, int access) {
    List<Share> list = files.get(file);
    int mine = -1;
    if (list != null) {
      for (int i = 0; i < list.size(); i++) {
        Share s = list.get(i);
        if (s.owner(client, oh)) mine = i;
        else if ((access & s.mode()) != 0 || (mode & s.access()) != 0) {
          denied++;
          return NlmStats.DENIED;
        }
      }
    }
    Share s = new Share(client, oh.clone(), mode, access);
    if (mine >= 0) {
      list.set(mine, s);
    } else {
      if (count >= max) {
        refused++;
        return NlmStats.DENIED_NOLOCKS;
      }
      files.computeIfAbsent(file, k -> new ArrayList<>(2)).add(s);
      count++;
    }
    granted++;
    return NlmStats.GRANTED;
  }

  /** Removes the owner's reservation on {@code file}; true if there was one. */
  synchronized boolean unshare(FileKey file, String client, byte[] oh) {
    unshares++;
    List<Share> list = files.get(file);
    if (list == null || !list.removeIf(s -> s.owner(client, oh))) return false;
    count--;
    if (list.isEmpty()) files.remove(file);
    return true;
  }

  /** Drops every reservation of {@code client}; returns how many. */
  synchronized int releaseClient(String client) {
    int n = 0;
    for (Iterator<List<Share>> it = files.values().iterator(); it.hasNext(); ) {
      List<Share> list = it.next();
      int before = list.size();
      list.removeIf(s -> s.client().equals(client));
      n += before - list.size();
      if (list.isEmpty()) it.remove();
    }
    count -= n;
    return n;
  }

  synchronized Set<String> clients() {
    Set<String> out = new HashSet<>();
    for (List<Share> list : files.values()) for (Share s : list) out.add(s.client());
    return out;
  }

  synchronized List<Share> shares(FileKey file) { return List.copyOf(files.getOrDefault(file, List.of())); }

  synchronized Map<String, Long> counters() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("shares", (long) count);
    m.put("sharesGranted", granted);
    m.put("sharesDenied", denied);
    m.put("sharesRefusedAtLimit", refused);
    m.put("unshares", unshares);
    return m;
  }
}
