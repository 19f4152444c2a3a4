package io.vminfo.agent.internal;

import io.vminfo.agent.StoreProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * The usage store targets known to this process: every {@link StoreProvider} registered in a {@code
 * META-INF/services/io.vminfo.agent.StoreProvider} file on the class path, by name.
 */
public final class StoreProviders {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

  private final List<StoreProvider> providers;
  private final Map<String, StoreProvider> byName;

  private StoreProviders(List<StoreProvider> providers) {
    List<StoreProvider> sorted = new ArrayList<>(providers);
    sorted.sort(Comparator.comparing(StoreProvider::name));
    Map<String, StoreProvider> m = new LinkedHashMap<>();
    for (StoreProvider p : sorted) {
      String name = Objects.requireNonNull(p.name(), "name of " + p.getClass().getName());
      if (!NAME.matcher(name).matches()) {
        throw new IllegalStateException(
            "store provider "
                + p.getClass().getName()
                + " has the name \""
                + name
                + "\"; a name is lower case letters, digits, - and _");
      }
      StoreProvider other = m.put(name, p);
      if (other != null) {
        throw new IllegalStateException(
            "two store providers are named \""
                + name
                + "\": "
                + other.getClass().getName()
                + " and "
                + p.getClass().getName());
      }
    }
    this.providers = List.copyOf(sorted);
    this.byName = Map.copyOf(m);
  }

  /** The providers registered on the class path of the thread's context class loader. */
  public static StoreProviders installed() {
    List<StoreProvider> found = new ArrayList<>();
    ServiceLoader.load(StoreProvider.class).forEach(found::add);
    return new StoreProviders(found);
  }

  /** Exactly these providers. */
  public static StoreProviders of(List<? extends StoreProvider> providers) {
    return new StoreProviders(List.copyOf(providers));
  }

  /** By name. */
  public List<StoreProvider> providers() {
    return providers;
  }

  public List<String> names() {
    return providers.stream().map(StoreProvider::name).toList();
  }

  public Optional<StoreProvider> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /**
   * The provider named {@code name}.
   *
   * @throws IllegalArgumentException naming the known stores when there is none of that name
   */
  public StoreProvider named(String name) {
    return find(name)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown storage target \""
                        + name
                        + "\"; the known stores are "
                        + String.join(", ", names())));
  }
}
