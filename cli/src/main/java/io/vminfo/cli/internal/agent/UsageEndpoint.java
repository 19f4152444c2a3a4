package io.vminfo.cli.internal.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.VersionProvider;
import io.vminfo.cli.internal.output.CliJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /usage}: the latest usage record of every VM (a JSON array of schema v1 records). The
 * core client library has no call for it, so this is a small JDK HttpClient of its own with the
 * same timeouts and the same error mapping.
 */
public final class UsageEndpoint {
  private static final long MAX_BYTES = 256L * 1024 * 1024;

  private final URI agent;
  private final Duration timeout;
  private final HttpClient http;

  public UsageEndpoint(URI agent, Duration timeout) {
    this.agent = agent;
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** The records, as the agent sent them. */
  public List<JsonNode> latest() throws InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(agent.resolve("usage"))
            .timeout(timeout)
            .header("Accept", "application/json")
            .header("User-Agent", "vminfo-cli/" + VersionProvider.version())
            .GET()
            .build();
    HttpResponse<InputStream> response;
    byte[] body;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        body = in.readNBytes((int) MAX_BYTES + 1);
      }
    } catch (HttpTimeoutException e) {
      throw CliFailure.unreachable(
          "cannot reach the agent at " + agent + ": no answer within " + timeout.toSeconds() + " s",
          e);
    } catch (IOException e) {
      throw AgentErrors.translate(e, agent);
    }
    if (body.length > MAX_BYTES) {
      throw CliFailure.failed("the agent's /usage answer is larger than 256 MiB");
    }
    JsonNode json;
    try {
      json = CliJson.parse(body);
    } catch (JsonProcessingException e) {
      throw CliFailure.failed(
          "bad answer from the agent at "
              + agent
              + ": /usage is not JSON ("
              + CliJson.describe(e)
              + ")");
    }
    if (response.statusCode() != 200) {
      String code = json.path("code").asText("HttpError");
      String message = json.path("message").asText("HTTP " + response.statusCode());
      if (response.statusCode() == 503) {
        throw CliFailure.failed("the agent at " + agent + " has no usage records: " + message);
      }
      throw CliFailure.failed(
          "the agent at "
              + agent
              + " answered "
              + response.statusCode()
              + " "
              + code
              + ": "
              + message);
    }
    if (!json.isArray()) {
      throw CliFailure.failed(
          "bad answer from the agent at " + agent + ": /usage is not a JSON array");
    }
    List<JsonNode> out = new ArrayList<>(json.size());
    json.forEach(out::add);
    return out;
  }
}
