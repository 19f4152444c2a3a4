package io.vminfo.cli.internal.manta;

import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.CommandBase;
import io.vminfo.cli.internal.VersionProvider;
import io.vminfo.cli.internal.output.Cells;
import io.vminfo.manta.MantaClient;
import io.vminfo.manta.MantaConfig;
import io.vminfo.manta.MantaException;
import io.vminfo.manta.MantaKeyException;
import java.util.Set;

/**
 * A {@code vminfo manta} command: a client from the {@code MANTA_*} environment (as node-manta),
 * and Manta's errors as one line each: cannot connect (exit 3), anything Manta answered (exit 1), a
 * missing or bad setting or key (exit 2).
 */
public abstract class MantaBase extends CommandBase {
  private static final Set<String> UNREACHABLE =
      Set.of(
          MantaException.CONNECT_FAILED, MantaException.CONNECTION_CLOSED, MantaException.TIMEOUT);

  /** A Manta operation. */
  @FunctionalInterface
  protected interface Operation {
    int run(MantaClient manta) throws Exception;
  }

  /** Runs {@code op} with a fresh client and closes it. */
  protected int withManta(Operation op) throws Exception {
    MantaConfig config;
    try {
      config =
          MantaConfig.fromEnv(terminal().env())
              .userAgent("vminfo-cli/" + VersionProvider.version())
              .build();
    } catch (IllegalArgumentException e) {
      throw CliFailure.usage(
          e.getMessage()
              + " (vminfo manta reads MANTA_URL, MANTA_USER,"
              + " MANTA_KEY_ID or MANTA_KEY_PATH, MANTA_SUBUSER, MANTA_ROLE, MANTA_TLS_INSECURE)");
    }
    try (MantaClient manta = MantaClient.create(config)) {
      return op.run(manta);
    } catch (MantaException e) {
      throw translate(e, config);
    } catch (MantaKeyException e) {
      throw CliFailure.usage("Manta key: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      // The client refuses bad paths (".." segments, not /login/... or ~~/...) before sending.
      throw CliFailure.usage(Cells.escape(String.valueOf(e.getMessage())), e);
    }
  }

  static CliFailure translate(MantaException e, MantaConfig config) {
    if (e.status() == 0 && UNREACHABLE.contains(e.code())) {
      return CliFailure.unreachable(
          "cannot reach Manta at "
              + config.url()
              + ": "
              + Cells.escape(String.valueOf(e.getMessage())),
          e);
    }
    String where = e.status() > 0 ? " (HTTP " + e.status() + ")" : "";
    return CliFailure.failed(
        "manta: " + e.code() + where + ": " + Cells.escape(String.valueOf(e.getMessage())), e);
  }
}
