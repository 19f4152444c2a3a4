package io.vminfo.cli.internal.agent;

import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.Terminal;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * Where the agent is: {@code --url}, else {@code VMINFO_URL}, else {@code http://127.0.0.1:9090}.
 */
public final class AgentAddress {
  public static final String DEFAULT = "http://127.0.0.1:9090";
  public static final String ENV = "VMINFO_URL";

  private AgentAddress() {}

  public static URI resolve(Optional<String> flag, Terminal terminal) {
    String text = flag.filter(s -> !s.isBlank()).or(() -> terminal.getenv(ENV)).orElse(DEFAULT);
    String source = flag.isPresent() ? "--url" : terminal.getenv(ENV).isPresent() ? ENV : "default";
    if (!text.contains("://")) {
      text = "http://" + text; // "host:port" is what people type
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw CliFailure.usage("bad agent URL in " + source + ": " + e.getMessage());
    }
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
      throw CliFailure.usage(
          "bad agent URL in " + source + ": \"" + text + "\" (expected http://host:port)");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw CliFailure.usage(
          "bad agent URL in " + source + ": \"" + text + "\" must not have a query or fragment");
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (!path.endsWith("/")) {
      path = path + "/";
    }
    return URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + path);
  }
}
