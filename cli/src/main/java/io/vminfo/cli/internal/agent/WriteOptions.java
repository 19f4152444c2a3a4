package io.vminfo.cli.internal.agent;

import io.vminfo.core.client.RequestSigner;
import io.vminfo.manta.MantaKeys;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * How a command that writes proves who it is (a picocli mixin): {@code --key} signs over HTTP,
 * {@code --socket} talks over the agent's local UNIX socket, where the peer's credentials do.
 */
public final class WriteOptions {
  @Option(
      names = "--key",
      paramLabel = "FILE",
      description =
          "Private SSH key that signs the request; its public half must be in the"
              + " agent's actions.authorized_keys (default: $VMINFO_KEY).")
  private Path key;

  @Option(
      names = "--socket",
      paramLabel = "PATH",
      description =
          "Talk to the agent over its local UNIX socket (actions.socket), where root,"
              + " the agent's user and actions.socket_group need no key (default: $VMINFO_SOCKET).")
  private Path socket;

  Optional<Path> socket() {
    return Optional.ofNullable(socket).or(() -> env("VMINFO_SOCKET"));
  }

  Optional<RequestSigner> signer(CommandSpec spec) {
    Optional<Path> file = Optional.ofNullable(key).or(() -> env("VMINFO_KEY"));
    if (file.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new SshKeyRequestSigner(MantaKeys.load(file.get()), Clock.systemUTC()));
    } catch (RuntimeException e) {
      throw new ParameterException(
          spec.commandLine(), "cannot use key " + file.get() + ": " + e.getMessage());
    }
  }

  private static Optional<Path> env(String name) {
    return Optional.ofNullable(System.getenv(name)).filter(s -> !s.isBlank()).map(Path::of);
  }
}
