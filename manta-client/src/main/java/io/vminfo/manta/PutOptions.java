package io.vminfo.manta;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Options of an object PUT. Immutable: every {@code with...} returns a copy.
 *
 * @param contentType the object's content type (Manta defaults to application/octet-stream)
 * @param contentMd5 a known base64 MD5 to send as {@code content-md5}; see also {@code
 *     computeContentMd5}
 * @param computeContentMd5 read the body once before sending to compute {@code content-md5} (files
 *     and byte arrays), so Manta refuses a body that changed on the way
 * @param durabilityLevel number of copies Manta keeps (1..9)
 * @param metadata {@code m-*} headers, and {@code role-tag} (roles, comma-separated, that may read
 *     it)
 * @param ifMatch only overwrite this etag ({@code "*"}: only if it exists)
 * @param mkdirs create missing parent directories when Manta answers {@code DirectoryDoesNotExist}
 */
public record PutOptions(
    Optional<String> contentType,
    Optional<String> contentMd5,
    boolean computeContentMd5,
    OptionalInt durabilityLevel,
    Map<String, String> metadata,
    Optional<String> ifMatch,
    boolean mkdirs) {

  private static final PutOptions DEFAULTS =
      new PutOptions(
          Optional.empty(),
          Optional.empty(),
          false,
          OptionalInt.empty(),
          Map.of(),
          Optional.empty(),
          false);

  public PutOptions {
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(contentMd5, "contentMd5");
    Objects.requireNonNull(durabilityLevel, "durabilityLevel");
    Objects.requireNonNull(ifMatch, "ifMatch");
    contentMd5.ifPresent(
        m -> {
          byte[] raw;
          try {
            raw = Base64.getDecoder().decode(m);
          } catch (IllegalArgumentException e) {
            raw = new byte[0];
          }
          if (raw.length != 16) {
            throw new IllegalArgumentException("contentMd5 must be a base64 MD5 digest: " + m);
          }
        });
    durabilityLevel.ifPresent(
        d -> {
          if (d < 1 || d > 9) {
            throw new IllegalArgumentException("durabilityLevel must be 1..9: " + d);
          }
        });
    Map<String, String> m = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : Objects.requireNonNull(metadata, "metadata").entrySet()) {
      String k = e.getKey().toLowerCase(Locale.ROOT);
      // role-tag travels with the metadata: Manta stores it with the object the same way.
      boolean roleTag = k.equals("role-tag");
      if (!roleTag
          && (!k.startsWith("m-") || k.length() < 3 || !k.matches("[a-z0-9!#$%&'*+.^_`|~-]+"))) {
        throw new IllegalArgumentException(
            "metadata keys are m-* header names or role-tag: " + e.getKey());
      }
      if (e.getValue().chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
        throw new IllegalArgumentException("metadata value of " + k + " has control characters");
      }
      m.put(k, e.getValue());
    }
    metadata = Map.copyOf(m);
  }

  public static PutOptions defaults() {
    return DEFAULTS;
  }

  public PutOptions withContentType(String type) {
    return new PutOptions(
        Optional.of(type),
        contentMd5,
        computeContentMd5,
        durabilityLevel,
        metadata,
        ifMatch,
        mkdirs);
  }

  public PutOptions withContentMd5(String base64Md5) {
    return new PutOptions(
        contentType,
        Optional.of(base64Md5),
        computeContentMd5,
        durabilityLevel,
        metadata,
        ifMatch,
        mkdirs);
  }

  public PutOptions withComputedContentMd5() {
    return new PutOptions(
        contentType, contentMd5, true, durabilityLevel, metadata, ifMatch, mkdirs);
  }

  public PutOptions withDurabilityLevel(int copies) {
    return new PutOptions(
        contentType,
        contentMd5,
        computeContentMd5,
        OptionalInt.of(copies),
        metadata,
        ifMatch,
        mkdirs);
  }

  public PutOptions withMetadata(Map<String, String> headers) {
    return new PutOptions(
        contentType, contentMd5, computeContentMd5, durabilityLevel, headers, ifMatch, mkdirs);
  }

  public PutOptions withIfMatch(String etag) {
    return new PutOptions(
        contentType,
        contentMd5,
        computeContentMd5,
        durabilityLevel,
        metadata,
        Optional.of(etag),
        mkdirs);
  }

  public PutOptions withMkdirs() {
    return new PutOptions(
        contentType, contentMd5, computeContentMd5, durabilityLevel, metadata, ifMatch, true);
  }
}
