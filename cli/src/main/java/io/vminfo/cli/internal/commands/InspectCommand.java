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
import io.vminfo.sysevent.BackendProvider;
import io.vminfo.sysevent.BackendRequest;
import io.vminfo.sysevent.Backends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Optional;
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
      "  vminfo inspect --backend example                # the same as --example",
      "  vminfo inspect --example                        # the bundled example SmartOS host",
    })
public final class InspectCommand extends CommandBase {
  /** Server uuid for VMs of a host that does not tell its own. */
  static final String UNKNOWN_SERVER = "00000000-0000-0000-0000-000000000000";

  /** The backend provider of the bundled example host. */
  static final String EXAMPLE = "example";

  @Option(
      names = "--backend",
      paramLabel = "NAME",
      completionCandidates = BackendNames.class,
      description =
          "The host backend, one of the installed backend providers: smartos, libvirt,"
              + " example, ... (default: the first that recognises ROOT: smartos if ROOT/etc/zones"
              + " exists, libvirt if ROOT/etc/libvirt/qemu or ROOT/run/libvirt/qemu does).")
  private String backend;

  @Option(
      names = "--root",
      paramLabel = "DIR",
      description = "Root of the host tree (default: /, this host).")
  private Path root;

  @Option(
      names = "--example",
      description =
          "Inspect the example SmartOS host bundled with"
              + " vminfo (what the agent serves when it finds no host backend); --backend example.")
  private boolean example;

  @Mixin private ListingOptions options;

  @Override
  public Integer call() throws IOException {
    ListingOptions.Listing listing = options.listing();
    Backends backends = Backends.installed();
    boolean exampleHost = example || (backend != null && backend.equalsIgnoreCase(EXAMPLE));
    if (example
        && backend != null
        && !backend.equalsIgnoreCase(EXAMPLE)
        && !backend.equalsIgnoreCase("smartos")) {
      throw CliFailure.usage("--example is a SmartOS host of its own: no --backend " + backend);
    }
    if (exampleHost && root != null) {
      throw CliFailure.usage("--example is a SmartOS host of its own: no --root");
    }
    Optional<BackendProvider> named = Optional.empty();
    if (exampleHost) {
      named = Optional.of(known(backends, EXAMPLE));
    } else if (backend != null) {
      named = Optional.of(known(backends, backend));
    }
    Path hostRoot = root == null ? Path.of("/") : root;
    if (!exampleHost && !Files.isDirectory(hostRoot)) {
      throw CliFailure.failed("host root " + hostRoot + " is not a directory");
    }
    BackendProvider provider = named.orElseGet(() -> detect(backends, hostRoot));
    // A scratch state directory: the example host copies its tree there; gone when done.
    Path scratch = Files.createTempDirectory("vminfo-inspect");
    try {
      LoadResult result;
      try (VmSource source =
          provider.source(BackendRequest.of(hostRoot, scratch, UNKNOWN_SERVER))) {
        result = source.loadAll();
      }
      listing.render(result.vms().stream().map(Vm::toJson).toList()).forEach(out()::println);
      out().flush();
      for (VmLoadError e : result.errors()) {
        note("cannot load " + describe(e) + ": " + Cells.escape(e.message()));
      }
      return result.errors().isEmpty() ? ExitCode.OK : ExitCode.FAILED;
    } finally {
      deleteTree(scratch);
    }
  }

  /** The installed backends' names, for shell completion. */
  static final class BackendNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Backends.installed().names().iterator();
    }
  }

  private static BackendProvider known(Backends backends, String name) {
    try {
      return backends.named(name);
    } catch (IllegalArgumentException e) {
      throw CliFailure.usage("--backend: " + e.getMessage());
    }
  }

  private static BackendProvider detect(Backends backends, Path hostRoot) {
    Backends.Detected detected = backends.detect(hostRoot);
    return detected
        .provider()
        .orElseThrow(
            () ->
                CliFailure.failed(
                    "no host backend recognises "
                        + hostRoot
                        + " ("
                        + detected.reason()
                        + "); use --backend and --root, or --example for"
                        + " the bundled example host"));
  }

  private static String describe(VmLoadError e) {
    StringBuilder sb = new StringBuilder(Cells.escape(e.key()));
    e.uuid().ifPresent(u -> sb.append(" (").append(u).append(')'));
    return sb.toString();
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
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
