package io.vminfo.agent.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vminfo.core.Vm;
import io.vminfo.core.VmEvent;
import io.vminfo.core.VmEventType;
import io.vminfo.core.text.IsoMillis;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code ready} line (DESIGN section 4) in pieces, so a snapshot of thousands of VMs is never
 * built as one array per subscriber: the line is a head, each VM's JSON escaped as JSON string
 * content (computed once per VM version and shared by every subscriber), and a tail. Concatenated,
 * the pieces are byte for byte what {@code FeedCodec.readyLine} writes (quoting is per character,
 * so quoting each VM and the separators equals quoting the whole array).
 */
public final class ReadyLines {
  private static final byte[] COMMA = {','};

  private final Map<String, Escaped> cache = new ConcurrentHashMap<>();

  @SuppressWarnings("ArrayRecordComponent") // a carrier, never compared or used as a key
  private record Escaped(Vm vm, byte[] bytes) {}

  /** Drops the cached form of VMs that were deleted (wire this to the store's events). */
  public void onEvent(VmEvent e) {
    if (e.type() == VmEventType.DELETE) {
      cache.remove(e.uuid());
    }
  }

  /** Head, VM fragments (with separators) and tail of a ready line. */
  public List<byte[]> pieces(
      String listenerId, Collection<Vm> vms, long rev, String epoch, Instant date, boolean resync) {
    List<byte[]> out = new ArrayList<>(vms.size() * 2 + 2);
    out.add(
        ("{\"type\":\"ready\",\"date\":\""
                + IsoMillis.format(date)
                + "\",\"uuid\":\""
                + quote(listenerId)
                + "\",\"vms\":\"[")
            .getBytes(StandardCharsets.UTF_8));
    boolean first = true;
    for (Vm vm : vms) {
      if (!first) {
        out.add(COMMA);
      }
      first = false;
      out.add(escaped(vm));
    }
    out.add(
        ("]\",\"rev\":"
                + rev
                + ",\"epoch\":\""
                + quote(epoch)
                + "\""
                + (resync ? ",\"resync\":true" : "")
                + "}\n")
            .getBytes(StandardCharsets.UTF_8));
    return out;
  }

  /** Cached VM fragments (for status and tests). */
  public int cachedVms() {
    return cache.size();
  }

  private byte[] escaped(Vm vm) {
    Escaped e = cache.get(vm.uuid());
    if (e != null && e.vm() == vm) {
      return e.bytes();
    }
    ByteBuffer json = vm.bytesBuffer();
    byte[] raw = new byte[json.remaining()];
    json.get(raw);
    byte[] quoted =
        JsonStringEncoder.getInstance().quoteAsUTF8(new String(raw, StandardCharsets.UTF_8));
    cache.put(vm.uuid(), new Escaped(vm, quoted));
    return quoted;
  }

  private static String quote(String s) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(s));
  }
}
