package io.vminfo.agent.internal;

import io.vminfo.agent.ConfigKey;
import io.vminfo.agent.ConfigKey.Type;
import io.vminfo.agent.ConfigValues;
import io.vminfo.agent.StoreContext;
import io.vminfo.agent.StoreProvider;
import io.vminfo.agent.StoreTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code storage.target=manta}: {@link MantaObjectStore} over manta-client, with the {@code
 * storage.manta.*} keys (each also read from its standard {@code MANTA_*} variable, below {@code
 * VMINFO_*}). {@code storage.manta.path_template} and {@code storage.manta.user} also name the
 * local store's paths, so the template stays one of the agent's own keys.
 */
public final class MantaStoreProvider implements StoreProvider {
  private static final List<String> REQUIRED =
      List.of("storage.manta.url", "storage.manta.user", "storage.manta.key_id");

  @Override
  public String name() {
    return "manta";
  }

  @Override
  public List<ConfigKey> settings() {
    return List.of(
        ConfigKey.optional("storage.manta.url", Type.TEXT, "Manta URL (env MANTA_URL)")
            .alsoFromEnv("MANTA_URL"),
        ConfigKey.optional("storage.manta.user", Type.TEXT, "Manta login (env MANTA_USER)")
            .alsoFromEnv("MANTA_USER"),
        ConfigKey.optional("storage.manta.subuser", Type.TEXT, "Manta subuser (env MANTA_SUBUSER)")
            .alsoFromEnv("MANTA_SUBUSER"),
        ConfigKey.optional("storage.manta.role", Type.TEXT, "Manta role (env MANTA_ROLE)")
            .alsoFromEnv("MANTA_ROLE"),
        ConfigKey.optional(
                "storage.manta.key_id",
                Type.TEXT,
                "fingerprint of the signing key (env MANTA_KEY_ID)")
            .alsoFromEnv("MANTA_KEY_ID"),
        ConfigKey.optional(
                "storage.manta.key_path",
                Type.PATH,
                "private key file (env MANTA_KEY_PATH); without it the key is taken from ssh-agent,"
                    + " else from ~/.ssh by its fingerprint")
            .alsoFromEnv("MANTA_KEY_PATH"),
        ConfigKey.withDefault(
                "storage.manta.tls_insecure",
                Type.BOOL,
                "false",
                "skip TLS certificate checks (env MANTA_TLS_INSECURE)")
            .alsoFromEnv("MANTA_TLS_INSECURE"),
        ConfigKey.withDefault(
                "storage.manta.durability_level",
                Type.INT,
                "2",
                "copies Manta keeps of each usage file (durability-level header)")
            .bounded(1, 9));
  }

  @Override
  public void validate(ConfigValues config) {
    List<String> missing = new ArrayList<>();
    for (String k : REQUIRED) {
      if (config.get(k, String.class).isEmpty()) {
        missing.add(
            k
                + " (or MANTA_"
                + k.substring("storage.manta.".length()).toUpperCase(Locale.ROOT)
                + ")");
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "storage.target is manta ("
              + config.source("storage.target")
              + ") but "
              + String.join(", ", missing)
              + " is not set");
    }
    String url = config.get("storage.manta.url", String.class).orElseThrow();
    if (!url.startsWith("https://") && !url.startsWith("http://")) {
      throw new IllegalArgumentException(
          "storage.manta.url ("
              + config.source("storage.manta.url")
              + "): \""
              + url
              + "\" is not an http(s) URL");
    }
  }

  @Override
  public StoreTarget create(StoreContext c) {
    MantaObjectStore m =
        MantaObjectStore.create(
            c.config().manta(), c.config().mantaDurabilityLevel(), c.env(), c.userAgent());
    return new StoreTarget(m, m::connect, m);
  }
}
