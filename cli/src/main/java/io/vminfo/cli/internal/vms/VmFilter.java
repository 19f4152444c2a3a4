package io.vminfo.cli.internal.vms;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.cli.internal.output.Cells;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A {@code vmadm list} style filter: {@code field=value} matches when the field, printed as in the
 * table, equals the value ({@code alias=} matches VMs without an alias); {@code field=~regex}
 * matches when the regular expression finds a match in it.
 */
public final class VmFilter {
  private final Field field;
  private final String value;
  private final Pattern regex;

  private VmFilter(Field field, String value, Pattern regex) {
    this.field = field;
    this.value = value;
    this.regex = regex;
  }

  /** Parses {@code field=value} or {@code field=~regex}. */
  public static VmFilter parse(String text) {
    int eq = text.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException(
          "bad filter \"" + text + "\": expected field=value or field=~regex");
    }
    Field field = Field.of(text.substring(0, eq));
    String rest = text.substring(eq + 1);
    if (rest.startsWith("~")) {
      try {
        return new VmFilter(field, null, Pattern.compile(rest.substring(1)));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "bad regular expression in filter \"" + text + "\": " + e.getDescription());
      }
    }
    return new VmFilter(field, rest, null);
  }

  public boolean matches(JsonNode vm) {
    JsonNode v = field.get(vm);
    boolean missing = v.isMissingNode() || v.isNull();
    if (regex != null) {
      return !missing && regex.matcher(Cells.of(v)).find();
    }
    if (value.isEmpty()) {
      return missing || (v.isTextual() && v.textValue().isEmpty());
    }
    return !missing && Cells.of(v).equals(value);
  }

  /** The exact value for a top-level {@code key=value} filter the agent can apply itself. */
  public Optional<String> serverSide(String key) {
    return regex == null && !value.isEmpty() && field.name().equals(key)
        ? Optional.of(value)
        : Optional.empty();
  }

  @Override
  public String toString() {
    return field + (regex != null ? "=~" + regex.pattern() : "=" + value);
  }
}
