package io.vminfo.agent;

import io.vminfo.agent.testing.TestVms;
import io.vminfo.core.UsageProbe;
import io.vminfo.core.testing.FakeVmSource;
import java.util.List;

/** {@code vminfod} exactly as shipped, but over a fake host: for tests of the real process. */
public final class FakeDaemonMain {
  private FakeDaemonMain() {}

  public static void main(String[] args) {
    int code =
        AgentMain.run(
            List.of(args),
            System.getenv(),
            System.out,
            System.err,
            ctx ->
                new HostBackend(
                    new FakeVmSource(TestVms.many(3), io.vminfo.core.HostIdentity.unknown()),
                    UsageProbe.NONE));
    if (code != 0) {
      System.exit(code);
    }
  }
}
