package io.vminfo.sysevent.internal.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.sysevent.internal.libvirt.TypedParameters.TypedParameter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;

/** libvirt's typed parameter arrays, laid out in native memory as libvirt lays them out. */
class TypedParametersTest {
  static final Runtime RUNTIME = Runtime.getSystemRuntime();

  /** Builds a {@code virTypedParameter[]} in native memory. */
  static final class Params {
    final List<Object[]> entries = new ArrayList<>();
    final List<Pointer> keepAlive = new ArrayList<>();

    Params add(String field, int type, Object value) {
      entries.add(new Object[] {field, type, value});
      return this;
    }

    Params ullong(String field, long value) {
      return add(field, TypedParameters.ULLONG, value);
    }

    Params string(String field, String value) {
      return add(field, TypedParameters.STRING, value);
    }

    Pointer build() {
      Pointer p =
          Memory.allocateDirect(RUNTIME, Math.max(1, entries.size()) * TypedParameters.SIZE, true);
      for (int i = 0; i < entries.size(); i++) {
        long base = (long) i * TypedParameters.SIZE;
        byte[] name = ((String) entries.get(i)[0]).getBytes(StandardCharsets.UTF_8);
        p.put(base, name, 0, Math.min(name.length, TypedParameters.FIELD_LENGTH - 1));
        int type = (Integer) entries.get(i)[1];
        p.putInt(base + TypedParameters.TYPE_OFFSET, type);
        Object v = entries.get(i)[2];
        long at = base + TypedParameters.VALUE_OFFSET;
        switch (type) {
          case TypedParameters.INT, TypedParameters.UINT -> p.putInt(at, ((Number) v).intValue());
          case TypedParameters.LLONG, TypedParameters.ULLONG ->
              p.putLongLong(at, ((Number) v).longValue());
          case TypedParameters.DOUBLE -> p.putDouble(at, (Double) v);
          case TypedParameters.BOOLEAN -> p.putByte(at, (byte) ((Boolean) v ? 1 : 0));
          case TypedParameters.STRING -> {
            byte[] s = ((String) v).getBytes(StandardCharsets.UTF_8);
            Pointer text = Memory.allocateDirect(RUNTIME, s.length + 1, true);
            text.put(0, s, 0, s.length);
            keepAlive.add(text);
            p.putPointer(at, text);
          }
          default -> p.putLongLong(at, 0);
        }
      }
      keepAlive.add(p);
      return p;
    }
  }

  @Test
  void decodesEveryTypeAtLibvirtsOffsets() {
    Params params =
        new Params()
            .add("a.int", TypedParameters.INT, -5)
            .add("a.uint", TypedParameters.UINT, 0xFFFF_FFFF)
            .add("a.llong", TypedParameters.LLONG, -7L)
            .ullong("a.ullong", 1L << 40)
            .ullong("a.huge", -1L) // 2^64 - 1
            .add("a.double", TypedParameters.DOUBLE, 2.5)
            .add("a.bool", TypedParameters.BOOLEAN, true)
            .string("a.string", "/var/lib/libvirt/images/t1.qcow2")
            .add("a.future", 42, 0L)
            .ullong("x".repeat(79), 1);
    List<TypedParameter> read = TypedParameters.read(params.build(), params.entries.size());
    assertThat(read)
        .extracting(TypedParameter::value)
        .containsExactly(
            -5L,
            0xFFFF_FFFFL,
            -7L,
            1L << 40,
            new TypedParameters.Unsigned(-1L),
            2.5,
            true,
            "/var/lib/libvirt/images/t1.qcow2",
            new TypedParameters.Unknown(42),
            1L);
    assertThat(read.get(9).field()).hasSize(79);
    assertThat(read.get(0).field()).isEqualTo("a.int");
  }

  @Test
  void refusesImplausibleCounts() {
    assertThat(TypedParameters.read(null, 0)).isEmpty();
    assertThatThrownBy(() -> TypedParameters.read(null, 3))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TypedParameters.read(new Params().build(), -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * What libvirt 9.0 gives (measured: {@code block.0.*} of a raw virtio disk, in this order), plus
   * an empty CD-ROM and a backing-chain entry.
   */
  @Test
  void blockStatsPerTargetDevice() {
    Params params =
        new Params()
            .ullong("block.count", 4)
            .string("block.0.name", "vda")
            .string("block.0.path", "/tmp/junit-1/vminfo-it-blk-d5859662.raw")
            .add("block.0.backingIndex", TypedParameters.UINT, 1) // libvirt 9.0: on the disk itself
            .ullong("block.0.rd.reqs", 1)
            .ullong("block.0.rd.bytes", 512)
            .ullong("block.0.rd.times", 80842)
            .ullong("block.0.wr.reqs", 0)
            .ullong("block.0.wr.bytes", 0)
            .ullong("block.0.wr.times", 0)
            .ullong("block.0.fl.reqs", 0)
            .ullong("block.0.fl.times", 0)
            .ullong("block.0.allocation", 0)
            .ullong("block.0.capacity", 16777216)
            .ullong("block.0.physical", 4096)
            .string(
                "block.1.name",
                "vda") // its backing file (VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING)
            .string("block.1.path", "/var/lib/libvirt/images/base.qcow2")
            .add("block.1.backingIndex", TypedParameters.UINT, 2)
            .ullong("block.1.rd.reqs", 77)
            .ullong("block.1.rd.bytes", 7700)
            .ullong("block.1.wr.reqs", 0)
            .ullong("block.1.wr.bytes", 0)
            .string("block.2.name", "hdc") // empty CD-ROM: no path, no counters
            .string("block.3.name", "vdb")
            .string("block.3.path", "/dev/vg0/t1-data")
            .ullong("block.3.rd.reqs", 9)
            .ullong("block.3.rd.bytes", 36864)
            .ullong("block.3.rd.times", 123456)
            .ullong("block.3.wr.reqs", 4)
            .ullong("block.3.wr.bytes", 16384)
            .ullong("block.3.fl.reqs", 1)
            .ullong("block.3.allocation", 0);
    Map<String, BlockStats.Disk> disks =
        BlockStats.parse(TypedParameters.read(params.build(), params.entries.size()));
    assertThat(disks.keySet()).containsExactly("vda", "vdb");
    assertThat(disks.get("vda"))
        .isEqualTo(
            new BlockStats.Disk(
                Optional.of("/tmp/junit-1/vminfo-it-blk-d5859662.raw"), 1, 512, 0, 0));
    assertThat(disks.get("vdb"))
        .isEqualTo(new BlockStats.Disk(Optional.of("/dev/vg0/t1-data"), 9, 36864, 4, 16384));
  }

  @Test
  void blockStatsKeepLibvirtsOrderAndLeaveOutWhatIsNotACount() {
    List<TypedParameter> params = new ArrayList<>();
    for (int i : new int[] {10, 2}) { // block.10 after block.2, not before as text would sort
      String d = "block." + i + ".";
      params.add(new TypedParameter(d + "name", i == 2 ? "vda" : "vdk"));
      params.add(new TypedParameter(d + "rd.reqs", 1L));
      params.add(new TypedParameter(d + "rd.bytes", 512L));
      params.add(new TypedParameter(d + "wr.reqs", 0L));
      params.add(new TypedParameter(d + "wr.bytes", 0L));
    }
    params.add(new TypedParameter("block.3.name", "vdc"));
    params.add(new TypedParameter("block.3.rd.reqs", new TypedParameters.Unsigned(-1L)));
    params.add(new TypedParameter("block.3.rd.bytes", 1L));
    params.add(new TypedParameter("block.3.wr.reqs", 1L));
    params.add(new TypedParameter("block.3.wr.bytes", 1L));
    params.add(new TypedParameter("block.x.name", "bad"));
    params.add(new TypedParameter("state.state", 1L));
    Map<String, BlockStats.Disk> disks = BlockStats.parse(params);
    assertThat(disks.keySet()).containsExactly("vda", "vdk");
    assertThat(disks.get("vda").path()).isEmpty();
  }
}
