package io.vminfo.sysevent.internal.usage;

import io.vminfo.sysevent.internal.host.HostFileException;
import io.vminfo.sysevent.internal.host.HostFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads a process's CPU time, start time, RSS and cgroup CPU usage from procfs and cgroupfs. */
public final class ProcReader {
  private final HostFiles files;
  private final long clockTicks;

  public ProcReader(HostFiles files, long clockTicks) {
    this.files = files;
    this.clockTicks = clockTicks;
  }

  /** Fields of {@code /proc/<pid>/stat} we use. */
  public record ProcStat(long utimeTicks, long stimeTicks, long startTicks) {}

  public ProcStat stat(long pid) throws IOException {
    String text = text("/proc/" + pid + "/stat", 4096);
    int close = text.lastIndexOf(')');
    if (close < 0) {
      throw new HostFileException("PARSE_ERROR", "/proc/" + pid + "/stat: no command field");
    }
    String[] f = text.substring(close + 2).trim().split("\\s+");
    // f[0] is field 3 (state); field N is f[N - 3].
    if (f.length < 20) {
      throw new HostFileException("PARSE_ERROR", "/proc/" + pid + "/stat: too few fields");
    }
    return new ProcStat(Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[19]));
  }

  /** Boot time of the host ({@code btime} of {@code /proc/stat}). */
  public Instant bootTime() throws IOException {
    for (String line : text("/proc/stat", 1024 * 1024).split("\n")) {
      if (line.startsWith("btime ")) {
        return Instant.ofEpochSecond(Long.parseLong(line.substring(6).trim()));
      }
    }
    throw new HostFileException("PARSE_ERROR", "/proc/stat has no btime line");
  }

  /** When the process started: boot time plus its start time in clock ticks. */
  public Instant startTime(ProcStat stat) throws IOException {
    long millis = stat.startTicks() * 1000 / clockTicks;
    return bootTime().plusMillis(millis);
  }

  public double cpuSeconds(ProcStat stat) {
    return (stat.utimeTicks() + stat.stimeTicks()) / (double) clockTicks;
  }

  /** VmRSS of {@code /proc/<pid>/status}, in bytes. */
  public OptionalLong rssBytes(long pid) throws IOException {
    for (String line : text("/proc/" + pid + "/status", 64 * 1024).split("\n")) {
      if (line.startsWith("VmRSS:")) {
        String[] f = line.substring(6).trim().split("\\s+");
        return OptionalLong.of(Long.parseLong(f[0]) * 1024L);
      }
    }
    return OptionalLong.empty(); // kernel threads and zombies have no VmRSS
  }

  /** Storage bytes a process made the host read and write ({@code /proc/<pid>/io}). */
  public record IoBytes(long readBytes, long writeBytes) {}

  /**
   * {@code read_bytes} and {@code write_bytes} of {@code /proc/<pid>/io}: what reached the storage
   * layer (page cache misses and write-back, or every byte with QEMU's {@code cache='none'}), not
   * {@code rchar}/{@code wchar}, which count sockets and eventfds too. Empty when the kernel does
   * not account task I/O (no such lines) or we may not read the file.
   */
  public Optional<IoBytes> ioBytes(long pid) throws IOException {
    Optional<String> text;
    try {
      text = files.readText(files.resolve("/proc/" + pid + "/io"), 64 * 1024);
    } catch (java.nio.file.AccessDeniedException e) {
      return Optional.empty(); // not root and not the process's owner
    }
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Long read = null;
    Long write = null;
    for (String line : text.get().split("\n")) {
      if (line.startsWith("read_bytes:")) {
        read = Long.parseLong(line.substring("read_bytes:".length()).trim());
      } else if (line.startsWith("write_bytes:")) {
        write = Long.parseLong(line.substring("write_bytes:".length()).trim());
      }
    }
    return read == null || write == null ? Optional.empty() : Optional.of(new IoBytes(read, write));
  }

  /** Whether the process's command line mentions {@code name} (guards against pid reuse). */
  public Optional<Boolean> cmdlineMentions(long pid, String name) throws IOException {
    Optional<byte[]> bytes =
        files.readIfExists(files.resolve("/proc/" + pid + "/cmdline"), 256 * 1024);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    String cmdline = new String(bytes.get(), StandardCharsets.UTF_8).replace('\0', ' ');
    return Optional.of(cmdline.contains(name));
  }

  /**
   * CPU seconds of the libvirt machine cgroup the process is in (all its threads, vCPUs and vhost
   * workers), from cgroup v1 {@code cpuacct.usage} or v2 {@code cpu.stat usage_usec}. Empty when
   * the process is not in a libvirt machine cgroup (then the process's own time is the best
   * measure).
   */
  public Optional<Double> machineCgroupCpuSeconds(long pid) throws IOException {
    Optional<String> cg = files.readText(files.resolve("/proc/" + pid + "/cgroup"), 64 * 1024);
    if (cg.isEmpty()) {
      return Optional.empty();
    }
    String v1 = null;
    String v2 = null;
    for (String line : cg.get().split("\n")) {
      String[] f = line.split(":", 3);
      if (f.length != 3) {
        continue;
      }
      if (f[0].equals("0") && f[1].isEmpty()) {
        v2 = f[2];
      } else if (List.of(f[1].split(",")).contains("cpuacct")) {
        v1 = f[2];
      }
    }
    if (v1 != null && isMachine(v1)) {
      String dir = domainLevel(v1);
      for (String mount : List.of("cpuacct", "cpu,cpuacct", "cpuacct,cpu")) {
        Optional<String> usage = readOptional("/sys/fs/cgroup/" + mount + dir + "/cpuacct.usage");
        if (usage.isPresent()) {
          return Optional.of(Long.parseLong(usage.get().trim()) / 1e9);
        }
      }
    }
    if (v2 != null && isMachine(v2)) {
      String dir = domainLevel(v2);
      for (String mount : List.of("/sys/fs/cgroup", "/sys/fs/cgroup/unified")) {
        Optional<String> stat = readOptional(mount + dir + "/cpu.stat");
        if (stat.isPresent()) {
          for (String line : stat.get().split("\n")) {
            if (line.startsWith("usage_usec ")) {
              return Optional.of(Long.parseLong(line.substring(11).trim()) / 1e6);
            }
          }
        }
      }
    }
    return Optional.empty();
  }

  private static boolean isMachine(String path) {
    return path.contains("machine") && (path.contains("qemu") || path.contains("libvirt"));
  }

  /** libvirt puts QEMU's main thread in {@code .../emulator}; the domain's total is the parent. */
  private static String domainLevel(String path) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (p.endsWith("/emulator")) {
      p = p.substring(0, p.length() - "/emulator".length());
    }
    return p;
  }

  private Optional<String> readOptional(String hostPath) throws IOException {
    return files.readText(files.resolve(hostPath), 64 * 1024);
  }

  private String text(String hostPath, int max) throws IOException {
    Path p = files.resolve(hostPath);
    try {
      return new String(files.read(p, max), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(hostPath);
    }
  }
}
