package io.vminfo.cli.internal.waiting;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.cli.internal.output.JsonText;
import io.vminfo.core.Vm;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code vminfo wait} waits for, checked against the VM as the agent has it (the snapshot,
 * then every event of that VM): present in a state, a value at a path, or gone.
 */
public sealed interface Condition {
  /** Whether the VM ({@code empty} when it does not exist) satisfies this condition. */
  boolean holds(Optional<Vm> vm);

  /** What is waited for, e.g. {@code state=running}. */
  String describe();

  /** What the VM has instead, for the timeout message. */
  String actual(Optional<Vm> vm);

  /** The VM exists and its {@code path} has {@code expected}. */
  record ValueAt(String pathText, List<String> path, JsonNode expected) implements Condition {
    public ValueAt {
      path = List.copyOf(path);
    }

    /**
     * Parses {@code PATH=VALUE}: the path is a change path ({@code quota}, {@code tags.role},
     * {@code nics.*.ip} where {@code *} is any array element, or a number for one element); the
     * value is JSON if it parses as JSON ({@code 20}, {@code true}, {@code null}, {@code "20"}),
     * else the text as a string.
     */
    public static ValueAt parse(String text) {
      int eq = text.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("expected PATH=VALUE, got \"" + text + "\"");
      }
      String pathText = text.substring(0, eq);
      List<String> path = new ArrayList<>();
      for (String seg : pathText.split("\\.", -1)) {
        if (seg.isEmpty()) {
          throw new IllegalArgumentException("empty segment in path \"" + pathText + "\"");
        }
        path.add(seg);
      }
      return new ValueAt(pathText, path, value(text.substring(eq + 1)));
    }

    static JsonNode value(String text) {
      if (text.isEmpty()) {
        return CliJson.NODES.textNode("");
      }
      try {
        return CliJson.parse(text.getBytes(StandardCharsets.UTF_8));
      } catch (JsonProcessingException e) {
        return CliJson.NODES.textNode(text);
      }
    }

    @Override
    public boolean holds(Optional<Vm> vm) {
      if (vm.isEmpty()) {
        return false;
      }
      for (JsonNode v : values(vm.get())) {
        if (same(v, expected)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String describe() {
      return pathText
          + "="
          + (expected.isTextual() ? expected.textValue() : JsonText.compact(expected));
    }

    @Override
    public String actual(Optional<Vm> vm) {
      if (vm.isEmpty()) {
        return "no such VM";
      }
      List<JsonNode> values = values(vm.get());
      if (values.isEmpty()) {
        return pathText + " not set";
      }
      List<String> shown = values.stream().map(JsonText::compact).toList();
      return pathText + " is " + (shown.size() == 1 ? shown.get(0) : String.join(", ", shown));
    }

    private List<JsonNode> values(Vm vm) {
      List<JsonNode> level = List.of(vm.toJson());
      for (String seg : path) {
        List<JsonNode> next = new ArrayList<>();
        for (JsonNode n : level) {
          if (n.isObject() && n.has(seg)) {
            next.add(n.get(seg));
          } else if (n.isArray() && seg.equals("*")) {
            n.forEach(next::add);
          } else if (n.isArray()
              && seg.chars().allMatch(Character::isDigit)
              && seg.length() < 10
              && Integer.parseInt(seg) < n.size()) {
            next.add(n.get(Integer.parseInt(seg)));
          }
        }
        level = next;
      }
      return level;
    }

    private static boolean same(JsonNode a, JsonNode b) {
      if (a.isNumber() && b.isNumber()) {
        return a.decimalValue().compareTo(b.decimalValue()) == 0;
      }
      return a.equals(b);
    }
  }

  /** The VM exists and is in {@code state}. */
  record State(String state) implements Condition {
    @Override
    public boolean holds(Optional<Vm> vm) {
      return vm.flatMap(Vm::state).filter(state::equals).isPresent();
    }

    @Override
    public String describe() {
      return "state=" + state;
    }

    @Override
    public String actual(Optional<Vm> vm) {
      return vm.isEmpty()
          ? "no such VM"
          : "state is " + vm.get().state().map(JsonText::quote).orElse("not set");
    }
  }

  /** The VM does not exist (any more). */
  record Deleted() implements Condition {
    @Override
    public boolean holds(Optional<Vm> vm) {
      return vm.isEmpty();
    }

    @Override
    public String describe() {
      return "deleted";
    }

    @Override
    public String actual(Optional<Vm> vm) {
      return vm.isEmpty() ? "gone" : "still exists (state " + vm.get().state().orElse("?") + ")";
    }
  }
}
