package io.vminfo.core.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The changes a {@link VminfoClient#watchForChanges watch} waits for, as vminfod's change list:
 * every group must be seen (AND); a group is satisfied by any one of its patterns (OR). Each change
 * of an event satisfies at most one group, so asking for the same change twice waits for it twice.
 * Groups may be satisfied by different events.
 */
public record ChangeExpectation(List<List<ChangePattern>> groups) {
  public ChangeExpectation {
    Objects.requireNonNull(groups, "groups");
    List<List<ChangePattern>> copy = new ArrayList<>(groups.size());
    for (List<ChangePattern> g : groups) {
      if (g.isEmpty()) {
        throw new IllegalArgumentException("an alternative group must not be empty");
      }
      for (ChangePattern p : g) {
        p.requireCriteria();
      }
      copy.add(List.copyOf(g));
    }
    groups = List.copyOf(copy);
  }

  /** Every one of {@code patterns} must be seen. */
  public static ChangeExpectation allOf(ChangePattern... patterns) {
    List<List<ChangePattern>> groups = new ArrayList<>();
    for (ChangePattern p : patterns) {
      groups.add(List.of(p));
    }
    return new ChangeExpectation(groups);
  }

  /** Any one of {@code patterns} is enough. */
  public static ChangeExpectation anyOf(ChangePattern... patterns) {
    return new ChangeExpectation(List.of(Arrays.asList(patterns)));
  }

  /** Both this and {@code other}. */
  public ChangeExpectation and(ChangeExpectation other) {
    List<List<ChangePattern>> all = new ArrayList<>(groups);
    all.addAll(other.groups);
    return new ChangeExpectation(all);
  }

  /**
   * Parses vminfod's form: a JSON array whose elements are change patterns (each required) or
   * arrays of change patterns (one of them required).
   */
  public static ChangeExpectation of(JsonNode json) {
    if (json == null || !json.isArray()) {
      throw new IllegalArgumentException("a change list must be a JSON array");
    }
    List<List<ChangePattern>> groups = new ArrayList<>();
    for (JsonNode element : json) {
      List<ChangePattern> group = new ArrayList<>();
      if (element.isArray()) {
        for (JsonNode alt : element) {
          group.add(ChangePattern.of(alt));
        }
      } else {
        group.add(ChangePattern.of(element));
      }
      groups.add(group);
    }
    return new ChangeExpectation(groups);
  }

  /** Whether there is nothing to wait for (vminfod then calls back at once). */
  public boolean isEmpty() {
    return groups.isEmpty();
  }
}
