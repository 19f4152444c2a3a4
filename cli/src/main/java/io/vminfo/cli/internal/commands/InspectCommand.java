package io.vminfo.cli.internal.commands;

import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.CommandBase;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.output.Cells;
import io.vminfo.cli.internal.vms.ListingOptions;
import io.vminfo.core.LoadResult;
import io.vminfo.core.Vm;
import io.vminfo.core.VmLoadError;
import io.vminfo.core.VmSource;
import io.vminfo.sysevent.Backends;
import io.vminfo.sysevent.ExampleHost;
import io.vminfo.sysevent.LibvirtSource;
import io.vminfo.sysevent.SmartOsSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vminfo inspect}: load VMs from a host tree without an agent. */
@Command(
    name = "inspect",
    header = "Load VMs from a host tree, without an agent.",
    description =
        "Load every VM straight from a host tree (or this host), without an agent, with "
        + "the same backends the agent uses, and list them like 'vminfo vms'. VMs that fail "
        + "to load are reported on stderr, one line each, and make the exit code 1.",
    footer = {
      "  vminfo inspect                                  # this host, backend detected",
      "  vminfo inspect --backend smartos --root /mnt/cn1 -o uuid,alias,zone_state",
      "  vminfo inspect --backend libvirt -j",
      "  vminfo inspect --example                        # the bundled example SmartOS host",
    })
public final class InspectCommand extends CommandBase {
  /** The host backends. */
  public enum Backend {
    SMARTOS,
    LIBVIRT
  }

  /** Server uuid for VMs of a host that does not tell its own. */
  static final String UNKNOWN_SERVER = "00000000-0000-0000-0000-000000000000";

  @Option(names = "--backend", paramLabel = "smartos|libvirt",
      description = "The host kind (default: smartos if ROOT/etc/zones exists, libvirt if"
          + " ROOT/etc/libvirt/qemu or ROOT/run/libvirt/qemu does).")
  private Backend backend;

  @Option(names = "--root", paramLabel = "DIR",
      description = "Root of the host tree (default: /, this host).")
  private Path root;

  @Option(names = "--example", description = "Inspect the example SmartOS host bundled with"
      + " vminfo (what the agent serves when it finds no host backend).")
  private boolean example;

  @Mixin
  private ListingOptions options;

  @Override
  public Integer call() throws IOException {
    ListingOptions.Listing listing = options.listing();
    if (example && (root != null || backend == Backend.LIBVIRT)) {
      throw CliFailure.usage("--example is a SmartOS host of its own: no --root or libvirt");
    }
    Path temp = null;
    try {
      Path hostRoot;
      Backend kind;
      if (example) {
        temp = Files.createTempDirectory("vminfo-example-host");
        hostRoot = ExampleHost.copyTo(temp);
        kind = Backend.SMARTOS;
      } else {
        hostRoot = root == null ? Path.of("/") : root;
        if (!Files.isDirectory(hostRoot)) {
          throw CliFailure.failed("host root " + hostRoot + " is not a directory");
        }
        kind = backend != null ? backend : detect(hostRoot);
      }
      LoadResult result;
      try (VmSource source = open(kind, hostRoot)) {
        result = source.loadAll();
      }
      listing.render(result.vms().stream().map(Vm::toJson).toList()).forEach(out()::println);
      out().flush();
      for (VmLoadError e : result.errors()) {
        note("cannot load " + describe(e) + ": " + Cells.escape(e.message()));
      }
      return result.errors().isEmpty() ? ExitCode.OK : ExitCode.FAILED;
    } finally {
      if (temp != null) {
        deleteTree(temp);
      }
    }
  }

  private static Backend detect(Path hostRoot) {
    return switch (Backends.detect(hostRoot)) {
      case SMARTOS -> Backend.SMARTOS;
      case LIBVIRT -> Backend.LIBVIRT;
      case NONE -> throw CliFailure.failed("no SmartOS (etc/zones) or libvirt (etc/libvirt/qemu,"
          + " run/libvirt/qemu) host under " + hostRoot + "; use --backend and --root, or"
          + " --example for the bundled example host");
    };
  }

  private static VmSource open(Backend kind, Path hostRoot) throws IOException {
    return switch (kind) {
      case SMARTOS -> SmartOsSource.builder(UNKNOWN_SERVER).hostRoot(hostRoot).build();
      case LIBVIRT -> LibvirtSource.builder(UNKNOWN_SERVER).hostRoot(hostRoot).build();
    };
  }

  private static String describe(VmLoadError e) {
    StringBuilder sb = new StringBuilder(Cells.escape(e.key()));
    e.uuid().ifPresent(u -> sb.append(" (").append(u).append(')'));
    return sb.toString();
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // A temp file left behind is no reason to fail the command.
        }
      });
    } catch (IOException e) {
      // Same.
    }
  }
}
