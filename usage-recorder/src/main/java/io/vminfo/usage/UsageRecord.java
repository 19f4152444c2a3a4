package io.vminfo.usage;

import io.vminfo.core.Vm;
import io.vminfo.core.VmUsage;
import io.vminfo.usage.internal.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One {@code usage} record (schema v1, DESIGN section 7, {@code docs/usage-schema.md}): what one VM
 * was and used at the end of one sampling interval. Values the host did not know are empty and left
 * out of the JSON, never invented. {@link #toJson()} gives the exact line written to the hourly
 * file (without its newline).
 */
public record UsageRecord(
    Instant timestamp,
    String serverUuid,
    Optional<String> datacenterName,
    String uuid,
    Optional<String> alias,
    Optional<String> brand,
    Optional<String> ownerUuid,
    Optional<String> imageUuid,
    Optional<String> packageUuid,
    Optional<String> status,
    OptionalLong maxPhysicalMemory,
    OptionalLong vcpus,
    OptionalLong quota,
    VmUsage usage) {

  public UsageRecord {
    Objects.requireNonNull(timestamp, "timestamp");
    if (timestamp.getNano() % 1_000_000 != 0) {
      throw new IllegalArgumentException("timestamp must have millisecond precision: " + timestamp);
    }
    requireText(serverUuid, "serverUuid");
    requireText(uuid, "uuid");
    Objects.requireNonNull(datacenterName, "datacenterName");
    Objects.requireNonNull(alias, "alias");
    Objects.requireNonNull(brand, "brand");
    Objects.requireNonNull(ownerUuid, "ownerUuid");
    Objects.requireNonNull(imageUuid, "imageUuid");
    Objects.requireNonNull(packageUuid, "packageUuid");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(maxPhysicalMemory, "maxPhysicalMemory");
    Objects.requireNonNull(vcpus, "vcpus");
    Objects.requireNonNull(quota, "quota");
    Objects.requireNonNull(usage, "usage");
  }

  /**
   * The record of {@code vm} at {@code timestamp}: identity and size from the VM object ({@code
   * package_uuid} is vmadm's {@code billing_id}), counters from {@code usage}.
   */
  public static UsageRecord of(
      Instant timestamp, String serverUuid, Optional<String> datacenterName, Vm vm, VmUsage usage) {
    Objects.requireNonNull(vm, "vm");
    return new UsageRecord(
        timestamp,
        serverUuid,
        datacenterName,
        vm.uuid(),
        vm.alias(),
        vm.brand(),
        vm.ownerUuid(),
        vm.imageUuid(),
        vm.billingId(),
        vm.state(),
        vm.maxPhysicalMemory(),
        vm.vcpus(),
        vm.quota(),
        usage);
  }

  /** The record as one line of compact JSON with keys in contract order (no trailing newline). */
  public String toJson() {
    return new String(RecordCodec.usageLine(this), StandardCharsets.UTF_8);
  }

  private static void requireText(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isEmpty()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
  }
}
