package io.vminfo.manta.emulator.internal;

import java.util.Map;

/** A Manta error response: HTTP status, Manta's {@code code} and message, extra headers. */
public final class MantaError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final Map<String, String> headers;

  public MantaError(int status, String code, String message) {
    this(status, code, message, Map.of());
  }

  public MantaError(int status, String code, String message, Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.headers = Map.copyOf(headers);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public Map<String, String> headers() {
    return headers;
  }

  static MantaError invalidUpdate(String header) {
    return new MantaError(400, "InvalidUpdate", "overwrite of \"" + header + "\" forbidden");
  }

  static MantaError resourceNotFound(String path) {
    return new MantaError(404, "ResourceNotFound", path + " was not found");
  }

  static MantaError directoryDoesNotExist(String path) {
    return new MantaError(404, "DirectoryDoesNotExist", ManPath.parentOf(path) + " does not exist");
  }

  static MantaError parentNotDirectory(String path) {
    return new MantaError(
        400, "ParentNotDirectory", ManPath.parentOf(path) + " is not a directory");
  }

  static MantaError rootDirectory(String method, String path) {
    return new MantaError(
        400, "OperationNotAllowedOnRootDirectory", method + " is not allowed on " + path);
  }

  static MantaError directoryOperation(String method, String path) {
    return new MantaError(
        400,
        "OperationNotAllowedOnDirectory",
        path + " is a directory: " + method + " is not allowed");
  }

  static MantaError invalidPath(String path) {
    return new MantaError(400, "InvalidResource", "\"" + path + "\" is invalid");
  }

  static MantaError authorization(String who, String path) {
    return new MantaError(403, "AuthorizationFailed", who + " is not allowed to access " + path);
  }

  static MantaError invalidHeader(String message) {
    return new MantaError(400, "InvalidHeader", message);
  }
}
