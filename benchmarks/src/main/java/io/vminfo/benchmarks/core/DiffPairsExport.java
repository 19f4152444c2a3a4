package io.vminfo.benchmarks.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.JsonDiff;
import io.vminfo.core.Vm;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the VM pairs {@link DiffBenchmark} diffs as one JSON file, so that {@code
 * src/main/node/diffjs-bench.js} can time smartos-live's diff.js on exactly the same inputs. Usage:
 * {@code DiffPairsExport OUT.json}.
 */
public final class DiffPairsExport {
  private DiffPairsExport() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: DiffPairsExport OUT.json");
      System.exit(2);
    }
    ObjectMapper json = new ObjectMapper();
    Vm a = RealisticVms.vm(42);
    Vm b = RealisticVms.modified(a);
    ObjectNode reordered = a.toJson();
    ArrayNode nics = (ArrayNode) reordered.get("nics");
    nics.insert(0, nics.remove(3));
    ObjectNode out = json.createObjectNode();
    out.putObject("opts").putObject("map").put("nics", "mac").put("disks", "path");
    ArrayNode pairs = out.putArray("pairs");
    pair(pairs, "diffWithFiveChanges", a.toJson(), b.toJson(), JsonDiff.diff(a, b).size());
    pair(pairs, "diffReorderedNics", a.toJson(), reordered, 0);
    pair(pairs, "diffEqualBytes", a.toJson(), RealisticVms.vm(42).toJson(), 0);
    Files.write(Path.of(args[0]), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(out));
  }

  private static void pair(ArrayNode pairs, String name, ObjectNode a, ObjectNode b, int changes) {
    ObjectNode p = pairs.addObject();
    p.put("name", name);
    p.put("changes", changes);
    p.set("a", a);
    p.set("b", b);
  }
}
