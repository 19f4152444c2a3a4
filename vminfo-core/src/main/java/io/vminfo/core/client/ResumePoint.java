package io.vminfo.core.client;

/**
 * Where a feed left off: the last revision seen and the agent run ({@code epoch}) it belongs to.
 */
public record ResumePoint(long rev, String epoch) {
  public ResumePoint {
    if (rev < 0) {
      throw new IllegalArgumentException("rev must be >= 0, got " + rev);
    }
    if (epoch == null || epoch.isEmpty()) {
      throw new IllegalArgumentException("epoch must be non-empty");
    }
  }
}
