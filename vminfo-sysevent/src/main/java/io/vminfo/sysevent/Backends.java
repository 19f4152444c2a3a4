package io.vminfo.sysevent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * The host backends known to this process: every {@link BackendProvider} registered in a {@code
 * META-INF/services/io.vminfo.sysevent.BackendProvider} file on the class path (SmartOS, libvirt
 * and the example host ship with vminfo-sysevent), in detection order. Selects one by name ({@link
 * #named}) or by looking at a host tree ({@link #detect}). Immutable.
 */
public final class Backends {
  /** The name that asks for detection instead of naming a backend. */
  public static final String AUTO = "auto";

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
  private static final Comparator<BackendProvider> DETECTION_ORDER =
      Comparator.comparingInt(BackendProvider::detectionOrder).thenComparing(BackendProvider::name);

  private final List<BackendProvider> providers;
  private final Map<String, BackendProvider> byName;

  private Backends(List<BackendProvider> providers) {
    List<BackendProvider> sorted = new ArrayList<>(providers);
    sorted.sort(DETECTION_ORDER);
    Map<String, BackendProvider> m = new LinkedHashMap<>();
    for (BackendProvider p : sorted) {
      String name = Objects.requireNonNull(p.name(), "name of " + p.getClass().getName());
      if (!NAME.matcher(name).matches() || name.equals(AUTO)) {
        throw new IllegalStateException(
            "backend provider "
                + p.getClass().getName()
                + " has the name \""
                + name
                + "\"; a name is lower case letters, digits, - and _,"
                + " and not \""
                + AUTO
                + "\"");
      }
      BackendProvider other = m.put(name, p);
      if (other != null) {
        throw new IllegalStateException(
            "two backend providers are named \""
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

  /**
   * The providers registered on the class path of the thread's context class loader.
   *
   * @throws IllegalStateException when two share a name or one has a bad name
   * @throws java.util.ServiceConfigurationError when a registered class cannot be loaded
   */
  public static Backends installed() {
    List<BackendProvider> found = new ArrayList<>();
    ServiceLoader.load(BackendProvider.class).forEach(found::add);
    return new Backends(found);
  }

  /** Exactly these providers (tests, embedders). */
  public static Backends of(List<? extends BackendProvider> providers) {
    return new Backends(List.copyOf(providers));
  }

  /** Every provider, in detection order. */
  public List<BackendProvider> providers() {
    return providers;
  }

  /** Their names, in detection order. */
  public List<String> names() {
    return providers.stream().map(BackendProvider::name).toList();
  }

  /** The provider named {@code name} (case-insensitive), if any. */
  public Optional<BackendProvider> find(String name) {
    return Optional.ofNullable(byName.get(name.strip().toLowerCase(Locale.ROOT)));
  }

  /**
   * The provider named {@code name} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the known backends when there is none of that name
   */
  public BackendProvider named(String name) {
    return find(name)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown backend \""
                        + name
                        + "\"; the known backends are "
                        + String.join(", ", names())));
  }

  /** The outcome of {@link #detect}: the first backend that recognised the host, and why. */
  public record Detected(Optional<BackendProvider> provider, String reason) {
    public Detected {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Asks each provider in detection order whether {@code hostRoot} is its host; the first that says
   * yes wins (so SmartOS before libvirt). With none, the reason lists every provider's answer.
   */
  public Detected detect(Path hostRoot) {
    Objects.requireNonNull(hostRoot, "hostRoot");
    List<String> absent = new ArrayList<>();
    for (BackendProvider p : providers) {
      Detection d = p.detect(hostRoot);
      if (d.present()) {
        return new Detected(Optional.of(p), d.reason());
      }
      absent.add(p.name() + ": " + d.reason());
    }
    return new Detected(
        Optional.empty(),
        absent.isEmpty() ? "no backend providers are installed" : String.join("; ", absent));
  }
}
