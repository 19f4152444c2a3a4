package io.vminfo.core.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.core.client.VminfoApiException;
import io.vminfo.core.client.VminfoNotFoundException;
import io.vminfo.core.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Turns an agent's error response into a typed exception. */
public final class ErrorBodies {
  private static final int MAX_MESSAGE = 500;

  private ErrorBodies() {}

  /**
   * {@code {"code":..,"message":..}} from vminfo; plain text (vminfod's {@code VM Not Found: x})
   * from older agents.
   */
  public static VminfoApiException toException(int status, byte[] body) {
    String code = "HttpError";
    String message = new String(body, StandardCharsets.UTF_8).strip();
    try {
      JsonNode json = Json.MAPPER.readTree(body);
      if (json != null && json.isObject() && json.path("code").isTextual()) {
        code = json.get("code").textValue();
        message = json.path("message").asText("");
      }
    } catch (IOException e) {
      // not JSON: keep the text
    }
    if (message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE) + "...";
    }
    if (message.isEmpty()) {
      message = "(no message)";
    }
    return status == 404
        ? new VminfoNotFoundException(code, message)
        : new VminfoApiException(status, code, message);
  }
}
