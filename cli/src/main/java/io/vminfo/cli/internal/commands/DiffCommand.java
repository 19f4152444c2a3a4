package io.vminfo.cli.internal.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.CommandBase;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.InputFiles;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.cli.internal.output.EventLines;
import io.vminfo.cli.internal.output.JsonText;
import io.vminfo.core.Change;
import io.vminfo.core.DiffOptions;
import io.vminfo.core.JsonDiff;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vminfo diff}: the changes between two JSON documents, as vminfod's diff.js. */
@Command(
    name = "diff",
    header = "Show the changes between two JSON documents.",
    description =
        "Print the changes from A to B (JSON files, '-' for stdin) as a JSON array, "
            + "exactly like smartos-live's 'node diff.js A B': arrays are sets; with --map, "
            + "elements of those top-level arrays that have the same identity field are "
            + "compared as one element.",
    footer = {
      "  vminfo diff before.json after.json",
      "  vminfo diff --map disks=path,nics=mac old-vm.json new-vm.json",
      "  vminfo vm my-zone | vminfo diff --vm saved.json - --text",
    })
public final class DiffCommand extends CommandBase {
  /** Reserved, not committed: the JVM touches only the pages a deep diff really uses. */
  private static final long DEEP_STACK_BYTES = 512L * 1024 * 1024;

  @Parameters(index = "0", paramLabel = "A", description = "The old document ('-': stdin).")
  private String a;

  @Parameters(index = "1", paramLabel = "B", description = "The new document ('-': stdin).")
  private String b;

  @Option(
      names = "--map",
      paramLabel = "KEY=FIELD",
      split = ",",
      description = "Top-level array KEY holds objects identified by FIELD (repeatable).")
  private Map<String, String> map = new LinkedHashMap<>();

  @Option(names = "--vm", description = "VM objects: the same as --map disks=path,nics=mac.")
  private boolean vm;

  @Option(
      names = {"-t", "--text"},
      description = "One line per change (prettyPath action :: old -> new), as vminfo events.")
  private boolean text;

  @Override
  public Integer call() throws IOException {
    if (a.equals("-") && b.equals("-")) {
      throw CliFailure.usage("only one of A and B can be '-' (stdin)");
    }
    Map<String, String> identity = new LinkedHashMap<>();
    if (vm) {
      identity.putAll(DiffOptions.VM.identityKeys());
    }
    identity.putAll(map);
    DiffOptions options;
    try {
      options = new DiffOptions(identity);
    } catch (IllegalArgumentException e) {
      throw CliFailure.usage("--map: " + e.getMessage());
    }
    JsonNode before = InputFiles.localDocument(a, terminal().in());
    JsonNode after = InputFiles.localDocument(b, terminal().in());
    String printed = onDeepStack(() -> render(JsonDiff.diff(before, after, options)));
    out().print(printed);
    return ExitCode.OK;
  }

  private String render(List<Change> changes) {
    StringBuilder sb = new StringBuilder();
    if (text) {
      for (Change c : changes) {
        sb.append(EventLines.change(c)).append(System.lineSeparator());
      }
    } else {
      ArrayNode array = CliJson.NODES.arrayNode();
      changes.forEach(c -> array.add(c.toJson()));
      sb.append(JsonText.pretty(array)).append(System.lineSeparator());
    }
    return sb.toString();
  }

  /**
   * Runs the diff and its rendering, both recursive in the documents' depth, on a thread whose
   * stack holds {@link CliJson#MAX_LOCAL_DOCUMENT_DEPTH} levels; the main thread's 1 MiB does not.
   */
  private static String onDeepStack(Supplier<String> work) {
    AtomicReference<String> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t =
        new Thread(
            null,
            () -> {
              try {
                result.set(work.get());
              } catch (Throwable e) {
                failure.set(e);
              }
            },
            "vminfo-diff",
            DEEP_STACK_BYTES);
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliFailure.failed("interrupted");
    }
    Throwable e = failure.get();
    if (e instanceof StackOverflowError) {
      throw CliFailure.failed("the documents are nested too deeply to diff");
    } else if (e instanceof RuntimeException r) {
      throw r;
    } else if (e instanceof Error err) {
      throw err;
    }
    return result.get();
  }
}
