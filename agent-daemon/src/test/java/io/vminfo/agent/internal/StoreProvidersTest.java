package io.vminfo.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.agent.ConfigKey;
import io.vminfo.agent.StoreContext;
import io.vminfo.agent.StoreProvider;
import io.vminfo.agent.StoreTarget;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Discovery and naming rules of store providers, and what a provider's keys may be. */
class StoreProvidersTest {
  @Test
  void theServicesFilesRegisterTheShippedStoresAndTheTestOneByName() {
    // memory is this module's test-only provider (testing/MemoryStoreProvider).
    assertThat(StoreProviders.installed().names()).containsExactly("local", "manta", "memory");
    assertThat(Providers.STORES.named("manta")).isInstanceOf(MantaStoreProvider.class);
    assertThat(Providers.STORES.named("local").settings())
        .extracting(ConfigKey::key)
        .containsExactly("storage.local.dir");
    assertThatThrownBy(() -> Providers.STORES.named("s3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown storage target \"s3\"; the known stores are local, manta, memory");
  }

  @Test
  void namesAreUniqueAndWellFormed() {
    assertThatThrownBy(() -> StoreProviders.of(List.of(named("s3"), named("s3"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("two store providers are named \"s3\"");
    assertThatThrownBy(() -> StoreProviders.of(List.of(named("S3 Store"))))
        .hasMessageContaining("lower case letters");
    assertThat(StoreProviders.of(List.of(named("s3"), named("b2"))).names())
        .containsExactly("b2", "s3");
  }

  @Test
  void aProviderKeyIsCheckedWhenDeclared() {
    assertThatThrownBy(() -> ConfigKey.optional("Storage.S3", ConfigKey.Type.TEXT, "x"))
        .hasMessageContaining("not a config key");
    assertThatThrownBy(
            () ->
                ConfigKey.optional("storage.s3.region", ConfigKey.Type.TEXT, "x")
                    .alsoFromEnv("aws-region"))
        .hasMessageContaining("not an environment variable name");
    assertThatThrownBy(
            () ->
                ConfigKey.withDefault("storage.s3.parts", ConfigKey.Type.INT, "0", "x")
                    .bounded(5, 1))
        .hasMessageContaining("min 5 > max 1");
    // A default its own type refuses fails when the schema takes the key, naming it.
    assertThatThrownBy(
            () ->
                Setting.of(
                    ConfigKey.withDefault("storage.s3.parts", ConfigKey.Type.INT, "many", "x")))
        .hasMessageContaining("\"many\" is not an integer");
    Setting s =
        Setting.of(
            ConfigKey.optional("storage.s3.region", ConfigKey.Type.TEXT, "x")
                .alsoFromEnv("AWS_REGION"));
    assertThat(s.envName()).isEqualTo("VMINFO_STORAGE_S3_REGION");
    assertThat(s.envAlias()).contains("AWS_REGION");
    assertThat(s.reloadable()).isFalse();
  }

  private static StoreProvider named(String name) {
    return new StoreProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public StoreTarget create(StoreContext context) {
        throw new UnsupportedOperationException();
      }
    };
  }
}
