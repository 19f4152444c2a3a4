package io.vminfo.agent.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vminfo.agent.ConfigValues;
import io.vminfo.agent.StoreProvider;
import io.vminfo.core.json.HardenedJson;
import io.vminfo.usage.RemotePathTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the effective configuration from its three layers, later ones winning: the JSON file,
 * {@code VMINFO_*} environment variables (and the standard {@code MANTA_*} ones for the Manta keys,
 * below {@code VMINFO_*}), and command-line flags. Every problem is reported with the key and where
 * its value came from; unknown keys and flags are errors.
 */
public final class ConfigLoader {
  /** Where the agent looks for its file when none is named. */
  public static final Path DEFAULT_FILE = Path.of("/etc/opt/vminfo/agent.json");

  /** Environment variable naming the config file. */
  public static final String CONFIG_ENV = "VMINFO_CONFIG";

  /** Largest config file read. */
  public static final int MAX_FILE_BYTES = 1 << 20;

  private static final ObjectMapper MAPPER =
      HardenedJson.UNTRUSTED
          .withMaxNesting(16)
          .withMaxStringLength(64 * 1024)
          .withMaxNumberLength(1000)
          .withComments()
          .mapper();

  private ConfigLoader() {}

  /** The outcome: values by key, where each came from, the file read (if any), and warnings. */
  public record Loaded(
      Map<String, Object> values,
      Map<String, String> sources,
      Optional<Path> file,
      List<String> warnings) {}

  /** Thrown for any configuration problem; the message is meant for the operator. */
  public static final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Problem(String message) {
      super(message);
    }
  }

  /**
   * Loads the configuration. {@code args} are the agent's flags (everything but {@code --help} and
   * friends); {@code env} is the process environment.
   */
  public static Loaded load(List<String> args, Map<String, String> env) {
    Map<String, String> flags = new LinkedHashMap<>();
    Optional<Path> namedFile = Optional.empty();
    String namedFrom = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new Problem("unexpected argument \"" + arg + "\" (flags are --key=value)");
      }
      String name;
      String value;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        name = arg.substring(2, eq);
        value = arg.substring(eq + 1);
      } else {
        name = arg.substring(2);
        if (i + 1 >= args.size()) {
          throw new Problem("flag --" + name + " needs a value");
        }
        value = args.get(++i);
      }
      if (name.equals("config")) {
        namedFile = Optional.of(path(value, "--config"));
        namedFrom = "--config";
        continue;
      }
      String key = flagToKey(name);
      if (ConfigSchema.find(key).isEmpty()) {
        throw new Problem("unknown flag --" + name + " (see --help for the keys)");
      }
      flags.put(key, value);
    }
    if (namedFile.isEmpty() && env.containsKey(CONFIG_ENV) && !env.get(CONFIG_ENV).isBlank()) {
      namedFile = Optional.of(path(env.get(CONFIG_ENV), CONFIG_ENV));
      namedFrom = CONFIG_ENV;
    }

    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, String> sources = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();
    for (Setting s : ConfigSchema.SETTINGS) {
      if (s.defaultValue().isPresent()) {
        values.put(s.key(), s.parse(s.defaultValue().get()));
        sources.put(s.key(), "default");
      }
    }

    Optional<Path> file = Optional.empty();
    Path candidate = namedFile.orElse(DEFAULT_FILE);
    Optional<JsonNode> json = readFile(candidate, namedFile.isPresent(), namedFrom);
    if (json.isPresent()) {
      file = Optional.of(candidate);
      applyFile(json.get(), candidate, values, sources);
    }

    for (Setting s : ConfigSchema.SETTINGS) {
      // A provider's second variable (Manta's standard MANTA_*), below VMINFO_*.
      String v = s.envAlias().map(env::get).orElse(null);
      if (v != null && !v.isBlank()) {
        apply(s.key(), v, "env " + s.envAlias().get(), values, sources);
      }
    }
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (!e.getKey().startsWith("VMINFO_") || e.getKey().equals(CONFIG_ENV)) {
        continue;
      }
      Optional<Setting> s =
          ConfigSchema.SETTINGS.stream().filter(x -> x.envName().equals(e.getKey())).findFirst();
      if (s.isEmpty()) {
        // Other vminfo tools (the CLI's VMINFO_URL) share the prefix, so this is not an error.
        warnings.add("ignoring environment variable " + e.getKey() + ": not an agent setting");
        continue;
      }
      apply(s.get().key(), e.getValue(), "env " + e.getKey(), values, sources);
    }
    for (Map.Entry<String, String> f : flags.entrySet()) {
      apply(
          f.getKey(),
          f.getValue(),
          "flag " + ConfigSchema.find(f.getKey()).orElseThrow().flagName(),
          values,
          sources);
    }
    validate(values, sources);
    return new Loaded(values, sources, file, warnings);
  }

  /** Parses and validates one setting given as text, for programmatic configuration. */
  public static Object parse(String key, String value, String source) {
    Setting s =
        ConfigSchema.find(key).orElseThrow(() -> new Problem("unknown config key \"" + key + "\""));
    try {
      return s.parse(value);
    } catch (IllegalArgumentException e) {
      throw new Problem(key + " (" + source + "): " + e.getMessage());
    }
  }

  /** Checks rules that span keys. */
  public static void validate(Map<String, Object> values, Map<String, String> sources) {
    StoreProvider store = Providers.STORES.named((String) values.get("storage.target"));
    try {
      store.validate(
          new ConfigValues() {
            @Override
            public <T> Optional<T> get(String key, Class<T> type) {
              return typed(values, key, type);
            }

            @Override
            public String source(String key) {
              return sources.getOrDefault(key, "default");
            }
          });
    } catch (IllegalArgumentException e) {
      throw new Problem(e.getMessage());
    }
    String template = (String) values.get("storage.manta.path_template");
    try {
      RemotePathTemplate.of(template, "local");
    } catch (IllegalArgumentException e) {
      throw new Problem(
          "storage.manta.path_template ("
              + sources.get("storage.manta.path_template")
              + "): "
              + e.getMessage());
    }
    String user = (String) values.get("storage.manta.user");
    if (user != null) {
      try {
        RemotePathTemplate.of(template, user);
      } catch (IllegalArgumentException e) {
        throw new Problem(
            "storage.manta.user (" + sources.get("storage.manta.user") + "): " + e.getMessage());
      }
    }
  }

  /** The value of {@code key} as {@code type} (see {@link ConfigValues#get}). */
  public static <T> Optional<T> typed(Map<String, Object> values, String key, Class<T> type) {
    if (ConfigSchema.find(key).isEmpty()) {
      throw new IllegalArgumentException("unknown config key \"" + key + "\"");
    }
    Object v = values.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (!type.isInstance(v)) {
      throw new IllegalArgumentException(
          key + " is a " + v.getClass().getSimpleName() + ", not a " + type.getSimpleName());
    }
    return Optional.of(type.cast(v));
  }

  private static void apply(
      String key,
      String text,
      String source,
      Map<String, Object> values,
      Map<String, String> sources) {
    values.put(key, parse(key, text, source));
    sources.put(key, source);
  }

  private static void applyFile(
      JsonNode root, Path file, Map<String, Object> values, Map<String, String> sources) {
    if (!root.isObject()) {
      throw new Problem(file + ": the config must be a JSON object");
    }
    Map<String, JsonNode> flat = new LinkedHashMap<>();
    flatten("", root, flat, file);
    for (Map.Entry<String, JsonNode> e : flat.entrySet()) {
      String key = e.getKey();
      Optional<Setting> s = ConfigSchema.find(key);
      if (s.isEmpty()) {
        throw new Problem(file + ": unknown key \"" + key + "\"" + suggestion(key));
      }
      if (e.getValue().isNull()) {
        if (s.get().defaultValue().isEmpty()) {
          values.remove(key);
          sources.put(key, "file " + file);
          continue;
        }
        throw new Problem(file + ": " + key + " must not be null");
      }
      try {
        values.put(key, s.get().parse(e.getValue()));
      } catch (IllegalArgumentException ex) {
        throw new Problem(key + " (file " + file + "): " + ex.getMessage());
      }
      sources.put(key, "file " + file);
    }
  }

  private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> out, Path file) {
    Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      boolean isSection =
          ConfigSchema.SETTINGS.stream().anyMatch(s -> s.key().startsWith(key + "."));
      if (e.getValue().isObject() && isSection) {
        flatten(key, e.getValue(), out, file);
      } else {
        out.put(key, e.getValue());
      }
    }
  }

  private static String suggestion(String key) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (Setting s : ConfigSchema.SETTINGS) {
      int d = distance(key, s.key());
      if (d < bestDistance) {
        bestDistance = d;
        best = s.key();
      }
    }
    return best != null && bestDistance <= 3 ? " (did you mean \"" + best + "\"?)" : "";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static Optional<JsonNode> readFile(Path file, boolean required, String namedBy) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (NoSuchFileException e) {
      if (required) {
        throw new Problem("config file " + file + " (from " + namedBy + ") does not exist");
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new Problem("cannot read config file " + file + ": " + e);
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw new Problem("config file " + file + " is larger than " + MAX_FILE_BYTES + " bytes");
    }
    try {
      JsonNode node = MAPPER.readTree(bytes);
      if (node == null) {
        throw new Problem("config file " + file + " is empty");
      }
      return Optional.of(node);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + " column "
                  + e.getLocation().getColumnNr();
      throw new Problem(
          "config file " + file + " is not valid JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new Problem("cannot read config file " + file + ": " + e);
    }
  }

  private static Path path(String text, String from) {
    try {
      return Path.of(text).toAbsolutePath().normalize();
    } catch (java.nio.file.InvalidPathException e) {
      throw new Problem(from + ": \"" + text + "\" is not a path");
    }
  }

  private static String flagToKey(String flag) {
    return flag.replace('-', '_');
  }
}
