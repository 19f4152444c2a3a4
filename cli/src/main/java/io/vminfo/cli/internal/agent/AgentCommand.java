package io.vminfo.cli.internal.agent;

import io.vminfo.cli.internal.CommandBase;
import io.vminfo.cli.internal.VersionProvider;
import io.vminfo.core.client.RequestSigner;
import io.vminfo.core.client.VminfoClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** A command that talks to the agent over HTTP. */
public abstract class AgentCommand extends CommandBase {
  /** A call to the agent. */
  @FunctionalInterface
  protected interface Call<T> {
    T run(VminfoClient client) throws IOException, InterruptedException;
  }

  protected URI agentUri() {
    return AgentAddress.resolve(Optional.ofNullable(root().url()), terminal());
  }

  /** A client of the agent; the caller closes it. */
  protected VminfoClient client() {
    VminfoClient.Builder b =
        VminfoClient.builder(agentUri())
            .connectTimeout(Duration.ofSeconds(5))
            .requestTimeout(root().requestTimeout())
            .userAgent("vminfo-cli/" + VersionProvider.version());
    signer().ifPresent(b::requestSigner);
    socket().ifPresent(b::unixSocket);
    return b.build();
  }

  /** The agent's local UNIX socket to talk over instead of HTTP; none for most commands. */
  protected Optional<java.nio.file.Path> socket() {
    return writeOptions().flatMap(WriteOptions::socket);
  }

  /** What signs this command's writes; none for commands that only read. */
  protected Optional<RequestSigner> signer() {
    return writeOptions().flatMap(w -> w.signer(spec));
  }

  /** The write options of a command that writes (a {@code @Mixin WriteOptions}); else none. */
  protected Optional<WriteOptions> writeOptions() {
    return Optional.empty();
  }

  /** Runs one call with a fresh client; failures become one line and an exit code. */
  protected <T> T call(Call<T> call) throws InterruptedException {
    URI uri = agentUri();
    try (VminfoClient client = client()) {
      return call.run(client);
    } catch (IOException | RuntimeException e) {
      throw AgentErrors.translate(e, uri);
    }
  }
}
