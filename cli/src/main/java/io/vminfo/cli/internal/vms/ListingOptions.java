package io.vminfo.cli.internal.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.output.Cells;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.cli.internal.output.JsonText;
import io.vminfo.cli.internal.output.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code vmadm list} options shared by {@code vms} and {@code inspect}: columns, sort, header,
 * parsable, JSON, and {@code field=value} filters.
 */
public final class ListingOptions {
  public static final String DEFAULT_COLUMNS = "uuid,alias,state,brand,max_physical_memory";

  @Option(
      names = "-o",
      paramLabel = "FIELDS",
      description =
          "Columns, comma-separated (default: "
              + DEFAULT_COLUMNS
              + "). Nested keys"
              + " with '.', e.g. nics.0.ip, tags.role; also vmadm's type and ram.")
  private String columns;

  @Option(
      names = "-s",
      paramLabel = "FIELDS",
      description = "Sort by these fields; -field sorts descending (default: uuid).")
  private String sort;

  @Option(names = "-H", description = "No header line.")
  private boolean noHeader;

  @Option(
      names = "-p",
      description =
          "Parsable: no header, fields separated by ':'"
              + " (':' and '\\' in values escaped with '\\').")
  private boolean parsable;

  @Option(
      names = "-j",
      description = "JSON: an array of the VM objects (only the -o fields if" + " -o is given).")
  private boolean json;

  @Parameters(
      paramLabel = "FIELD=VALUE",
      arity = "0..*",
      description =
          "Only VMs whose field has this value (FIELD=~REGEX: matches the regular"
              + " expression). All filters must match.")
  private List<String> filterArgs = new ArrayList<>();

  /** Checks the options; usage errors name what is wrong. */
  public Listing listing() {
    if (json && parsable) {
      throw CliFailure.usage("-j and -p cannot be combined");
    }
    try {
      List<Field> fields = Field.list(columns == null ? DEFAULT_COLUMNS : columns);
      List<SortKey> sortKeys = SortKey.list(sort == null ? "uuid" : sort);
      List<VmFilter> filters = filterArgs.stream().map(VmFilter::parse).toList();
      return new Listing(fields, columns != null, sortKeys, filters, noHeader, parsable, json);
    } catch (IllegalArgumentException e) {
      throw CliFailure.usage(e.getMessage(), e);
    }
  }

  /** What to print, checked. */
  public record Listing(
      List<Field> fields,
      boolean explicitColumns,
      List<SortKey> sort,
      List<VmFilter> filters,
      boolean noHeader,
      boolean parsable,
      boolean json) {

    /** The exact value of a filter on {@code key} that the agent can apply itself. */
    public Optional<String> serverFilter(String key) {
      for (VmFilter f : filters) {
        Optional<String> v = f.serverSide(key);
        if (v.isPresent()) {
          return v;
        }
      }
      return Optional.empty();
    }

    /** Filters and sorts {@code vms} and renders them; one string per output line. */
    public List<String> render(List<? extends JsonNode> vms) {
      List<JsonNode> selected = new ArrayList<>();
      for (JsonNode vm : vms) {
        if (filters.stream().allMatch(f -> f.matches(vm))) {
          selected.add(vm);
        }
      }
      selected.sort(SortKey.comparator(sort));
      if (json) {
        ArrayNode array = CliJson.NODES.arrayNode();
        for (JsonNode vm : selected) {
          if (explicitColumns) {
            ObjectNode o = array.addObject();
            for (Field f : fields) {
              JsonNode v = f.get(vm);
              if (!v.isMissingNode()) {
                o.set(f.name(), v);
              }
            }
          } else {
            array.add(vm);
          }
        }
        return List.of(JsonText.pretty(array));
      }
      Table table = new Table(fields.stream().map(Field::header).toList());
      for (JsonNode vm : selected) {
        table.add(fields.stream().map(f -> Cells.of(f.get(vm))).toList());
      }
      return table.render(parsable ? Table.Style.PARSABLE : Table.Style.ALIGNED, !noHeader);
    }
  }
}
